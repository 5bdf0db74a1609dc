using AccoReboot.Cloud;
using AccoReboot.Infra.Resources;
using AccoReboot.State;

namespace AccoReboot.Infra;

/// <summary>
/// The resources of one environment, in dependency order (a resource after what it depends on): the one place a
/// new kind of resource is registered. Everything else (reading live, planning, applying, reconciling the state,
/// the outputs) goes over this list without knowing the kinds.
/// </summary>
sealed class EnvironmentResources
{
    public IReadOnlyList<IResource> All { get; }

    public EnvironmentResources(DesiredEnvironment desired)
    {
        var securityGroup = new SecurityGroupResource(desired);
        var keypair = new KeypairResource(desired);
        var instance = new InstanceResource(desired, securityGroup, keypair);
        var cluster = new DbClusterResource(desired, instance);
        var databases = desired.Database.Databases.Select(name => new DatabaseResource(cluster, name)).ToList();
        All =
        [
            securityGroup,
            keypair,
            instance,
            cluster,
            .. databases,
            new DbUserResource(desired, cluster),
            new DbIpRestrictionResource(desired, cluster, instance, databases),
            .. desired.Dns is { } dns ? [new DnsRecordResource(dns, instance)] : Array.Empty<IResource>(),
        ];
    }

    /// <summary>
    /// Starts what can be read before the state (catalogs, offers), so that it runs while the state lock is taken
    /// and the state read; <see cref="ReadLiveAsync"/> awaits it. Nothing needs to await this.
    /// </summary>
    public void Prepare(CloudApis apis, CancellationToken ct)
    {
        foreach (var resource in All)
            // observed by ReadLiveAsync; a run that stops before (a held lock) leaves it unobserved, harmlessly
            _ = resource.PrepareAsync(apis, ct);
    }

    /// <summary>
    /// Reads every resource live at once: by the ids in the state when there are some (one call each), otherwise by
    /// name, so resources made by a run that stopped before recording them are found, and drift made by hand shows.
    /// A resource inside another (a database in the cluster) waits for that one's read.
    /// </summary>
    public async Task<LiveSnapshot> ReadLiveAsync(CloudApis apis, StateDocument? state, CancellationToken ct)
    {
        var reads = new Dictionary<string, Task<object?>>();
        var context = new ReadContext(apis, state, dependency => reads[dependency.Address], ct);
        foreach (var resource in All) reads[resource.Address] = resource.ReadLiveAsync(context);
        await Task.WhenAll(reads.Values);
        return new LiveSnapshot(reads.ToDictionary(r => r.Key, r => r.Value.Result));
    }

    /// <summary>Turns what is live into a plan: pure, one diff per resource, in dependency order.</summary>
    public InfraPlan Plan(string environment, LiveSnapshot live)
    {
        var plan = new PlanContext(live);
        foreach (var resource in All) plan.Add(resource.Diff(plan));
        return new InfraPlan(environment, All.Select(plan.ChangeOf).ToList());
    }

    /// <summary>What Down does: everything in reverse order, the data of a protected environment kept unless asked.</summary>
    public InfraPlan DestroyPlan(string environment, LiveSnapshot live, bool destroyData) =>
        new(environment, All.Reverse().Select(r => r.DestroyChange(live, destroyData)).ToList(), IsDestroy: true);

    /// <summary>
    /// The state brought in line with what was found live, before anything is applied: a run that stopped between a
    /// create and its state write left a resource the state does not know, found again by name. Slices of
    /// resources no longer declared are dropped.
    /// </summary>
    public StateDocument Reconcile(StateDocument state, LiveSnapshot live)
    {
        var declared = All.Select(r => r.Address).ToHashSet();
        var kept = state with
        {
            Resources = state.Resources.Where(r => declared.Contains(r.Key)).ToDictionary(),
        };
        return WithOutputs(All.Aggregate(kept, (document, resource) => resource.Reconcile(document, live)));
    }

    /// <summary>The outputs as the resources' slices give them.</summary>
    public StateDocument WithOutputs(StateDocument state) =>
        state with { Outputs = All.Aggregate(new EnvironmentOutputs(), (outputs, resource) => resource.Export(state, outputs)) };
}
