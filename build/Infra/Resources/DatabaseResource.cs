using AccoReboot.Cloud.Ovh;
using AccoReboot.Infra.Apply;

namespace AccoReboot.Infra.Resources;

sealed record DatabaseState(string Id, string Name);

/// <summary>
/// A database in the cluster (accoreboot, powersync_storage). Created once; never deleted by Apply (a database
/// the profile no longer lists keeps its data until the cluster goes, which takes its databases with it).
/// </summary>
sealed class DatabaseResource(DbClusterResource cluster, string database) : Resource<DbDatabase, DatabaseState>
{
    public override string Kind => "database";
    public override string Name => database;
    public override IReadOnlyList<IResource> DependsOn => [cluster];

    protected override async Task<DbDatabase?> ReadAsync(DatabaseState? recorded, ReadContext context)
    {
        if (await context.LiveOf(cluster) is not { } live) return null;
        var (ovh, ct) = (context.Apis.Ovh, context.CancellationToken);
        if (recorded != null)
        {
            try
            {
                if (await ovh.DatabaseAsync(live.Id, recorded.Id, ct) is { } byId && byId.Name == Name) return byId with { Id = recorded.Id };
            }
            catch (OvhApiException e) when (e.IsNotFound)
            {
            }
        }
        return await FindAsync(ovh, live.Id, ct);
    }

    private async Task<DbDatabase?> FindAsync(OvhCloudApi ovh, string clusterId, CancellationToken ct)
    {
        foreach (var id in await ovh.DatabaseIdsAsync(clusterId, ct))
            if (await ovh.DatabaseAsync(clusterId, id, ct) is { } found && found.Name == Name)
                return found with { Id = id };
        return null;
    }

    protected override ResourceChange Diff(DbDatabase? live, PlanContext plan) =>
        live != null && plan.ChangeOf(cluster).Action is not (ChangeAction.Create or ChangeAction.Replace)
            ? None()
            : new(Kind, Name, ChangeAction.Create, [new("cluster", null, cluster.Name)]);

    protected override async Task<DbDatabase> ApplyAsync(ResourceChange change, DbDatabase? live, ApplyContext context)
    {
        var (ovh, ct) = (context.Apis.Ovh, context.CancellationToken);
        var clusterId = cluster.IdIn(context);
        return await CreateOrAdoptAsync($"database {Name}",
            async () => await cluster.WhenBusyAsync(context, this, clusterId, () => ovh.CreateDatabaseAsync(clusterId, Name, ct)),
            () => FindAsync(ovh, clusterId, ct));
    }

    protected override DatabaseState? Record(DbDatabase? live, DatabaseState? recorded) => live?.Id is { } id ? new(id, live.Name) : null;

    protected override ResourceChange DestroyChange(DbDatabase? live, bool destroyData) => None();
}
