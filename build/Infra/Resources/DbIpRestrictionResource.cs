using AccoReboot.Cloud.Ovh;
using AccoReboot.Infra.Apply;
using BuildEngine;

namespace AccoReboot.Infra.Resources;

sealed record DbIpRestrictionState(IReadOnlyList<string> Ips);

/// <summary>Who may reach the cluster now.</summary>
sealed record DbIpRestrictionLive(IReadOnlyList<string> Ips);

/// <summary>
/// Who may reach the database: the instance's IPv4 only (OVH lets nobody in by default). Set through the
/// cluster's ipRestrictions (the older /ipRestriction endpoints are deprecated); follows the instance when it is
/// replaced.
/// </summary>
sealed class DbIpRestrictionResource(DesiredEnvironment desired, DbClusterResource cluster, InstanceResource instance, IReadOnlyList<DatabaseResource> databases)
    : Resource<DbIpRestrictionLive, DbIpRestrictionState>
{
    public override string Kind => "db-ip-restriction";
    public override string Name => desired.ClusterName;

    // after the databases: a change here makes the cluster UPDATING, during which OVH refuses new ones. The user is
    // created at the same time as the databases and waits for READY meanwhile; if its create comes late it is
    // answered 409 and waits for the update, so it is not worth holding the restriction back for it.
    public override IReadOnlyList<IResource> DependsOn => [cluster, instance, .. databases];

    protected override async Task<DbIpRestrictionLive?> ReadAsync(DbIpRestrictionState? recorded, ReadContext context) =>
        await context.LiveOf(cluster) is { } live ? new DbIpRestrictionLive(live.Service.IpRestrictions?.Select(r => r.Ip).Order().ToList() ?? []) : null;

    protected override ResourceChange Diff(DbIpRestrictionLive? live, PlanContext plan)
    {
        var current = live?.Ips ?? [];
        var instanceChanges = plan.ChangeOf(instance).Action != ChangeAction.NoOp;
        var ipv4 = plan.Live.Of(instance)?.Server?.Ipv4;
        var wanted = (instanceChanges || ipv4 == null ? AttributeChange.KnownAfterApply : ipv4) + "/32";
        if (!instanceChanges && plan.ChangeOf(cluster).Action == ChangeAction.NoOp && current.SequenceEqual([wanted])) return None();
        return new(Kind, Name, ChangeAction.Update, [new("ip", current.Count == 0 ? "(nobody)" : string.Join(", ", current), wanted)]);
    }

    protected override async Task<DbIpRestrictionLive> ApplyAsync(ResourceChange change, DbIpRestrictionLive? live, ApplyContext context)
    {
        var (ovh, ct) = (context.Apis.Ovh, context.CancellationToken);
        var clusterId = cluster.IdIn(context);
        var ip = (context.Current(instance)?.Server?.Ipv4
                  ?? throw new BuildFailure($"{desired.InstanceName} has no IPv4 yet: the database cannot be opened to it. Run Apply again once it is ACTIVE.")) + "/32";
        await cluster.WhenBusyAsync(context, this, clusterId, async () =>
        {
            var now = await ovh.ClusterAsync(clusterId, ct);
            if (now.IpRestrictions?.Select(r => r.Ip).SequenceEqual([ip]) == true) return now;
            return await ovh.UpdateClusterAsync(clusterId, new DbServiceUpdate(now.Description ?? Name, now.Plan!, now.Version!, now.Flavor!,
                now.NodeNumber ?? 1, [new DbIpRestriction(ip, desired.InstanceName)]), ct);
        });
        await cluster.WaitReadyAsync(context, clusterId, this);
        return new DbIpRestrictionLive([ip]);
    }

    protected override DbIpRestrictionState? Record(DbIpRestrictionLive? live, DbIpRestrictionState? recorded) =>
        live is { Ips.Count: > 0 } ? new(live.Ips) : null;

    // the cluster's deletion takes its restrictions with it
    protected override ResourceChange DestroyChange(DbIpRestrictionLive? live, bool destroyData) => None();
}
