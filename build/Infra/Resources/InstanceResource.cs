using AccoReboot.Cloud.Http;
using AccoReboot.Cloud.OpenStack;
using AccoReboot.Infra.Apply;
using AccoReboot.State;
using BuildEngine;

namespace AccoReboot.Infra.Resources;

/// <summary>
/// The instance that runs the stack. Flavor, image, deploy key and cloud-init are set at boot and force a new
/// instance when they change; they are compared through the instance's metadata (the image by name, so a new
/// build of "Ubuntu 24.04" published by OVH is not a change).
/// </summary>
sealed class InstanceResource(DesiredEnvironment desired) : IManagedResource
{
    public const string ManagedBy = "managed-by";
    public const string ImageName = "image-name";
    public const string UserDataSha256 = "user-data-sha256";
    public const string SshKeySha256 = "ssh-key-sha256";

    public string Kind => "instance";
    public string Name => desired.InstanceName;
    public IReadOnlyList<string> DependsOn => ["security-group." + desired.SecurityGroupName, "keypair." + desired.KeypairName];

    public ResourceChange Diff(LiveSnapshot live)
    {
        var server = live.Server;
        if (server == null)
            return new(Kind, Name, ChangeAction.Create,
            [
                new("flavor", null, desired.Flavor), new("image", null, desired.Image), new("region", null, desired.Region),
                new("ipv4", null, AttributeChange.KnownAfterApply),
            ]);
        var changes = new List<AttributeChange>();
        var flavorName = server.FlavorId != null && live.FlavorNames.TryGetValue(server.FlavorId, out var f) ? f : server.FlavorId;
        if (flavorName != desired.Flavor) changes.Add(new("flavor", flavorName, desired.Flavor, ForcesReplacement: true));
        var image = server.Metadata.GetValueOrDefault(ImageName);
        if (image != desired.Image) changes.Add(new("image", image ?? "(unknown)", desired.Image, ForcesReplacement: true));
        if (server.KeyName != desired.KeypairName) changes.Add(new("key_name", server.KeyName, desired.KeypairName, ForcesReplacement: true));
        if (server.Metadata.GetValueOrDefault(SshKeySha256) != desired.SshKeySha256)
            changes.Add(new("deploy key", server.Metadata.GetValueOrDefault(SshKeySha256) ?? "(unknown)", desired.SshKeySha256, ForcesReplacement: true));
        if (!server.SecurityGroups.Contains(desired.SecurityGroupName))
            changes.Add(new("security_groups", string.Join(",", server.SecurityGroups), desired.SecurityGroupName, ForcesReplacement: true));
        if (server.Metadata.GetValueOrDefault(UserDataSha256) != desired.UserDataSha256)
            changes.Add(new("user_data (cloud-init)", Short(server.Metadata.GetValueOrDefault(UserDataSha256)), Short(desired.UserDataSha256), ForcesReplacement: true));
        if (server.Status == "ERROR")
            changes.Add(new("status", "ERROR", "ACTIVE", ForcesReplacement: true));
        if (changes.Count == 0 && server.Status == "BUILD")
            // a run stopped while it was being built: wait for it (its address is hidden until then)
            return new(Kind, Name, ChangeAction.Update, [new("status", "BUILD", "ACTIVE"), new("ipv4", null, AttributeChange.KnownAfterApply)]);
        if (changes.Count == 0)
            return ResourceChange.None(Kind, Name, server.Status == "SHUTOFF" ? "stopped (Start starts it)" : null);
        return new(Kind, Name, ChangeAction.Replace, changes.Append(new("ipv4", server.Ipv4, AttributeChange.KnownAfterApply)).ToList(),
            server.Status == "ERROR" ? server.FaultMessage : null);
    }

    public async Task ApplyAsync(ResourceChange change, ApplyContext context)
    {
        if (change.Action == ChangeAction.Update)
        {
            await WaitActiveAsync(context, context.Live.Server!.Id);
            return;
        }
        if (change.Action == ChangeAction.Replace) await DestroyAsync(context);
        var nova = context.Apis.Nova;
        var ct = context.CancellationToken;
        var live = context.Live;
        var creation = new ServerCreation(Name, live.FlavorId!, live.ImageId!, live.NetworkId!, desired.KeypairName, desired.SecurityGroupName,
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(desired.UserData)),
            new Dictionary<string, string>
            {
                [ManagedBy] = "accoreboot",
                ["environment"] = desired.Name,
                [ImageName] = desired.Image,
                [UserDataSha256] = desired.UserDataSha256,
                [SshKeySha256] = desired.SshKeySha256,
            });
        string id;
        try
        {
            id = await nova.CreateServerAsync(creation, ct);
        }
        catch (Exception e) when (e is CloudUnreachableException || e is OpenStackApiException { Status: >= System.Net.HttpStatusCode.InternalServerError })
        {
            // the create may have happened: adopt it rather than make a second one
            id = (await nova.ServersNamedAsync(Name, ct)).SingleOrDefault()?.Id ?? throw AdoptionFailure.Of(e, $"instance {Name}");
        }
        await context.State.UpdateAsync(s => s with { Instance = new InstanceState(id, Name, null, "BUILD") });
        await WaitActiveAsync(context, id);
    }

    private async Task WaitActiveAsync(ApplyContext context, string id)
    {
        var nova = context.Apis.Nova;
        var server = await context.Poller.UntilAsync($"{Name} to become ACTIVE", async token =>
                await nova.ServerAsync(id, token) ?? throw new BuildFailure($"{Name} ({id}) disappeared while it was being built."),
            s => s.Status is "ACTIVE" or "ERROR", context.Polling.ServerTimeout, s => context.Report(Name, s.Status));
        if (server.Status == "ERROR")
            throw new BuildFailure($"{Name} went to ERROR: {server.FaultMessage ?? "no fault message"}. The next Apply replaces it.");
        context.Outputs["instance.id"] = server.Id;
        context.Outputs["instance.ipv4"] = server.Ipv4 ?? throw new BuildFailure($"{Name} is ACTIVE without an IPv4 on {DesiredEnvironment.ExternalNetwork}.");
        await context.State.UpdateAsync(s => s with { Instance = new InstanceState(server.Id, Name, server.Ipv4, server.Status), HostKey = null, Release = null });
    }

    public ResourceChange DestroyChange(LiveSnapshot live, bool destroyData) =>
        live.Server == null ? ResourceChange.None(Kind, Name) : new(Kind, Name, ChangeAction.Delete, [new("ipv4", live.Server.Ipv4, null)]);

    public async Task DestroyAsync(ApplyContext context)
    {
        var nova = context.Apis.Nova;
        var server = context.Live.Server!;
        await nova.DeleteServerAsync(server.Id, context.CancellationToken);
        await context.Poller.UntilAsync($"{Name} to be deleted", token => nova.ServerAsync(server.Id, token), s => s == null,
            context.Polling.ServerTimeout, s => context.Report(Name, s == null ? "deleted" : "deleting"));
        await context.State.UpdateAsync(s => s with { Instance = null, HostKey = null, Release = null });
    }

    private static string? Short(string? hash) => hash == null ? "(unknown)" : hash.Length > 12 ? hash[..12] : hash;
}
