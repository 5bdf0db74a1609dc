using AccoReboot.Cloud.Ovh;
using AccoReboot.Infra.Apply;

namespace AccoReboot.Infra.Resources;

/// <summary>
/// Who may reach the database: the instance's IPv4 only (OVH lets nobody in by default). Set through the
/// cluster's ipRestrictions (the older /ipRestriction endpoints are deprecated); follows the instance when it is replaced.
/// </summary>
sealed class DbIpRestrictionResource(DesiredEnvironment desired) : IManagedResource
{
    public string Kind => "db-ip-restriction";
    public string Name => desired.ClusterName;

    // after the databases: a change here makes the cluster UPDATING, during which OVH refuses new ones. The user is
    // created at the same time as the databases and waits for READY meanwhile; if its create comes late it is
    // answered 409 and waits for the update (OvhRetry), so it is not worth holding the restriction back for it.
    public IReadOnlyList<string> DependsOn =>
        new[] { "db-cluster." + desired.ClusterName, "instance." + desired.InstanceName }
            .Concat(desired.Database.Databases.Select(d => "database." + d)).ToList();

    public ResourceChange Diff(LiveSnapshot live)
    {
        var current = live.Cluster?.IpRestrictions?.Select(r => r.Ip).Order().ToList() ?? [];
        var instanceChanges = new InstanceResource(desired).Diff(live).Action != ChangeAction.NoOp;
        var wanted = instanceChanges || live.Server?.Ipv4 == null ? AttributeChange.KnownAfterApply + "/32" : live.Server.Ipv4 + "/32";
        var before = current.Count == 0 ? "(nobody)" : string.Join(", ", current);
        if (!instanceChanges && current.SequenceEqual([wanted])) return ResourceChange.None(Kind, Name);
        return new(Kind, Name, ChangeAction.Update, [new("ip", before, wanted)]);
    }

    public async Task ApplyAsync(ResourceChange change, ApplyContext context)
    {
        var ovh = context.Apis.Ovh;
        var ct = context.CancellationToken;
        var cluster = context.Outputs["cluster.id"];
        var ip = (context.Outputs.TryGetValue("instance.ipv4", out var address) ? address
            : throw new BuildEngine.BuildFailure($"{desired.InstanceName} has no IPv4 yet: the database cannot be opened to it. Run Apply again once it is ACTIVE.")) + "/32";
        await OvhRetry.WhenNotReadyAsync(context, cluster, Name, async () =>
        {
            var live = await ovh.ClusterAsync(cluster, ct);
            if (live.IpRestrictions?.Select(r => r.Ip).SequenceEqual([ip]) == true) return live;
            return await ovh.UpdateClusterAsync(cluster, new DbServiceUpdate(live.Description ?? Name, live.Plan!, live.Version!, live.Flavor!,
                live.NodeNumber ?? 1, [new DbIpRestriction(ip, desired.InstanceName)]), ct);
        });
        var ready = await DbClusterResource.WaitReadyAsync(context, cluster, Name);
        await context.State.UpdateAsync(s => s with { DbIpRestrictions = [ip] });
        await DbClusterResource.RecordAsync(context, ready);
    }

    public ResourceChange DestroyChange(LiveSnapshot live, bool destroyData) => ResourceChange.None(Kind, Name);

    public Task DestroyAsync(ApplyContext context) => Task.CompletedTask;
}
