using AccoReboot.Infra.Resources;

namespace AccoReboot.Infra;

/// <summary>Turns (desired, live) into a plan: pure, one diff per resource, in dependency order.</summary>
static class Planner
{
    public static IReadOnlyList<IManagedResource> Resources(DesiredEnvironment desired) =>
    [
        new SecurityGroupResource(desired),
        new KeypairResource(desired),
        new InstanceResource(desired),
        new DbClusterResource(desired),
        .. desired.Database.Databases.Select(name => new DatabaseResource(desired, name)),
        new DbUserResource(desired),
        new DbIpRestrictionResource(desired),
    ];

    public static InfraPlan Plan(DesiredEnvironment desired, LiveSnapshot live) =>
        new(desired.Name, Resources(desired).Select(r => r.Diff(live)).ToList());

    /// <summary>What Down does: everything in reverse order, the data of a protected environment kept unless asked.</summary>
    public static InfraPlan DestroyPlan(DesiredEnvironment desired, LiveSnapshot live, bool destroyData) =>
        new(desired.Name, Resources(desired).Reverse().Select(r => r.DestroyChange(live, destroyData)).ToList(), IsDestroy: true);
}
