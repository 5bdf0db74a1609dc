using AccoReboot.Cloud.OpenStack;
using AccoReboot.Infra.Apply;
using AccoReboot.State;
using BuildEngine;

namespace AccoReboot.Infra.Resources;

sealed record InstanceState(string Id, string Name, string? Ipv4, string? Status);

/// <summary>The ids a new instance is made with, looked up by the names the profile gives.</summary>
sealed record InstanceCatalog(string FlavorId, string ImageId, string NetworkId, IReadOnlyDictionary<string, string> FlavorNames);

/// <summary>
/// The instance as read: the server when there is one, the catalog to (re)create it from, and the deploy keys a
/// rotation left authorized on it (null: the key of its metadata, the one it was made with).
/// </summary>
sealed record InstanceLive(Server? Server, InstanceCatalog Catalog, IReadOnlyList<string>? DeployKeys = null);

/// <summary>
/// The instance that runs the stack. Flavor, image, deploy key and cloud-init are set at boot and force a new
/// instance when they change; they are compared through the instance's metadata (the image by name, so a new
/// build of "Ubuntu 24.04" published by OVH is not a change), the deploy key also through the state, where
/// Rotate --what deploy-key records the keys it authorized on the running instance. What the deploy learnt of an instance (host key,
/// release) names it, so a new instance starts without them.
/// </summary>
sealed class InstanceResource(DesiredEnvironment desired, SecurityGroupResource securityGroup, KeypairResource keypair) : Resource<InstanceLive, InstanceState>
{
    public const string ManagedBy = "managed-by";
    public const string ImageName = "image-name";
    public const string UserDataSha256 = "user-data-sha256";
    public const string SshKeySha256 = "ssh-key-sha256";

    public override string Kind => "instance";
    public override string Name => desired.InstanceName;
    public override IReadOnlyList<IResource> DependsOn => [securityGroup, keypair];

    private Task<InstanceCatalog>? _catalog;

    /// <summary>The flavor, image and network the profile names, looked up while the run takes the state lock.</summary>
    public override Task PrepareAsync(Cloud.CloudApis apis, CancellationToken ct) => _catalog ??= CatalogAsync(apis, ct);

    protected override async Task<InstanceLive?> ReadAsync(InstanceState? recorded, ReadContext context)
    {
        var catalog = _catalog ??= CatalogAsync(context.Apis, context.CancellationToken);
        var server = FindServerAsync(recorded, context);
        await Task.WhenAll(catalog, server);
        return new InstanceLive(await server, await catalog, await server is { } found ? context.State?.DeployKeysOn(found.Id) : null);
    }

    private async Task<InstanceCatalog> CatalogAsync(Cloud.CloudApis apis, CancellationToken ct)
    {
        var flavors = apis.Nova.FlavorsAsync(ct);
        var image = apis.Glance.NewestActiveAsync(desired.Image, ct);
        var network = apis.Neutron.NetworkNamedAsync(DesiredEnvironment.ExternalNetwork, ct);
        await Task.WhenAll(flavors, image, network);

        var flavor = (await flavors).FirstOrDefault(f => f.Name == desired.Flavor)
                     ?? throw new BuildFailure($"Unknown flavor '{desired.Flavor}' in {desired.Region}: available flavors are {string.Join(", ", (await flavors).Select(f => f.Name).Order())}. Fix Flavor in .nuke/parameters.{desired.Name}.json.");
        if (await image == null)
            throw new BuildFailure($"No active image named '{desired.Image}' in {desired.Region}: available images are {string.Join(", ", await apis.Glance.ActiveNamesAsync(ct))}. Fix Image in .nuke/parameters.{desired.Name}.json.");
        return new InstanceCatalog(flavor.Id, (await image)!.Id,
            (await network)?.Id ?? throw new BuildFailure($"No {DesiredEnvironment.ExternalNetwork} network in {desired.Region}."),
            (await flavors).ToDictionary(f => f.Id, f => f.Name));
    }

    private async Task<Server?> FindServerAsync(InstanceState? recorded, ReadContext context)
    {
        var nova = context.Apis.Nova;
        if (recorded != null && await nova.ServerAsync(recorded.Id, context.CancellationToken) is { } byId && byId.Name == Name)
            return byId;
        return TheOneNamed(await nova.ServersNamedAsync(Name, context.CancellationToken), s => s.Id, "instances");
    }

    protected override ResourceChange Diff(InstanceLive? live, PlanContext plan)
    {
        if (live?.Server is not { } server)
            return new(Kind, Name, ChangeAction.Create,
            [
                new("flavor", null, desired.Flavor), new("image", null, desired.Image), new("region", null, desired.Region),
                new("ipv4", null, AttributeChange.KnownAfterApply),
            ]);
        var changes = new List<AttributeChange>();
        var flavorName = server.FlavorId != null && live.Catalog.FlavorNames.TryGetValue(server.FlavorId, out var f) ? f : server.FlavorId;
        if (flavorName != desired.Flavor) changes.Add(new("flavor", flavorName, desired.Flavor, ForcesReplacement: true));
        var image = server.Metadata.GetValueOrDefault(ImageName);
        if (image != desired.Image) changes.Add(new("image", image ?? "(unknown)", desired.Image, ForcesReplacement: true));
        if (server.KeyName != desired.KeypairName) changes.Add(new("key_name", server.KeyName, desired.KeypairName, ForcesReplacement: true));
        var deployKeys = live.DeployKeys ?? [server.Metadata.GetValueOrDefault(SshKeySha256) ?? "(unknown)"];
        if (!deployKeys.Contains(desired.SshKeySha256))
            changes.Add(new("deploy key", string.Join(",", deployKeys), desired.SshKeySha256, ForcesReplacement: true));
        if (!server.SecurityGroups.Contains(desired.SecurityGroupName))
            changes.Add(new("security_groups", string.Join(",", server.SecurityGroups), desired.SecurityGroupName, ForcesReplacement: true));
        if (server.Metadata.GetValueOrDefault(UserDataSha256) is var userData && userData != desired.UserDataSha256 && userData != desired.UserDataWithKeySha256)
            changes.Add(new("user_data (cloud-init)", Short(server.Metadata.GetValueOrDefault(UserDataSha256)), Short(desired.UserDataSha256), ForcesReplacement: true));
        if (server.Status == "ERROR")
            changes.Add(new("status", "ERROR", "ACTIVE", ForcesReplacement: true));
        if (changes.Count == 0 && server.Status == "BUILD")
            // a run stopped while it was being built: wait for it (its address is hidden until then)
            return new(Kind, Name, ChangeAction.Update, [new("status", "BUILD", "ACTIVE"), new("ipv4", null, AttributeChange.KnownAfterApply)]);
        if (changes.Count == 0)
            return None(server.Status == "SHUTOFF" ? "stopped (Start starts it)" : null);
        return new(Kind, Name, ChangeAction.Replace, changes.Append(new("ipv4", server.Ipv4, AttributeChange.KnownAfterApply)).ToList(),
            server.Status == "ERROR" ? server.FaultMessage
            : changes.Any(c => c.Name == "deploy key") ? "Rotate --what deploy-key gives the running instance a new key, without replacing it" : null);
    }

    protected override async Task<InstanceLive> ApplyAsync(ResourceChange change, InstanceLive? live, ApplyContext context)
    {
        var catalog = live!.Catalog;
        if (change.Action == ChangeAction.Update) return live with { Server = await WaitActiveAsync(context, live.Server!.Id) };
        if (change.Action == ChangeAction.Replace)
        {
            await DestroyAsync(live, context);
            await RecordAsync(context, live with { Server = null });
        }
        var nova = context.Apis.Nova;
        var ct = context.CancellationToken;
        var creation = new ServerCreation(Name, catalog.FlavorId, catalog.ImageId, catalog.NetworkId, desired.KeypairName, desired.SecurityGroupName,
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(desired.UserData)),
            new Dictionary<string, string>
            {
                [ManagedBy] = "accoreboot",
                ["environment"] = desired.Name,
                [ImageName] = desired.Image,
                [UserDataSha256] = desired.UserDataSha256,
                [SshKeySha256] = desired.SshKeySha256,
            });
        var id = await CreateOrAdoptAsync($"instance {Name}", () => nova.CreateServerAsync(creation, ct),
            async () => (await nova.ServersNamedAsync(Name, ct)).SingleOrDefault()?.Id);
        await RecordSliceAsync(context, new InstanceState(id, Name, null, "BUILD"));
        return live with { Server = await WaitActiveAsync(context, id) };
    }

    private async Task<Server> WaitActiveAsync(ApplyContext context, string id)
    {
        var nova = context.Apis.Nova;
        var server = await context.Poller.UntilAsync($"{Name} to become ACTIVE", async token =>
                await nova.ServerAsync(id, token) ?? throw new BuildFailure($"{Name} ({id}) disappeared while it was being built."),
            s => s.Status is "ACTIVE" or "ERROR", context.Polling.ServerTimeout, s => context.Report(this, $"instance {s.Status}"));
        if (server.Status == "ERROR")
            throw new BuildFailure($"{Name} went to ERROR: {server.FaultMessage ?? "no fault message"}. The next Apply replaces it.");
        if (server.Ipv4 == null) throw new BuildFailure($"{Name} is ACTIVE without an IPv4 on {DesiredEnvironment.ExternalNetwork}.");
        return server;
    }

    protected override InstanceState? Record(InstanceLive? live, InstanceState? recorded) =>
        live?.Server is { } s ? new InstanceState(s.Id, s.Name, s.Ipv4, s.Status) : null;

    protected override EnvironmentOutputs Export(InstanceState recorded, EnvironmentOutputs outputs) =>
        outputs with { InstanceId = recorded.Id, Ipv4 = recorded.Ipv4 };

    protected override ResourceChange DestroyChange(InstanceLive? live, bool destroyData) =>
        live?.Server is not { } server ? None() : new(Kind, Name, ChangeAction.Delete, [new("ipv4", server.Ipv4, null)]);

    protected override async Task DestroyAsync(InstanceLive live, ApplyContext context)
    {
        if (live.Server is not { } server) return;
        var nova = context.Apis.Nova;
        await nova.DeleteServerAsync(server.Id, context.CancellationToken);
        await context.Poller.UntilAsync($"{Name} to be deleted", token => nova.ServerAsync(server.Id, token), s => s == null,
            context.Polling.ServerTimeout, s => context.Report(this, s == null ? "deleted" : $"instance {s.Status}, deleting"));
    }

    private static string? Short(string? hash) => hash == null ? "(unknown)" : hash.Length > 12 ? hash[..12] : hash;
}
