using AccoReboot.Cloud.Http;
using AccoReboot.Cloud.Ovh;
using AccoReboot.Infra.Apply;

namespace AccoReboot.Infra.Resources;

/// <summary>
/// A database in the cluster (accoreboot, powersync_storage). Created once; never deleted by Apply (a database
/// the profile no longer lists keeps its data until the cluster goes).
/// </summary>
sealed class DatabaseResource(DesiredEnvironment desired, string database) : IManagedResource
{
    public string Kind => "database";
    public string Name => database;
    public IReadOnlyList<string> DependsOn => ["db-cluster." + desired.ClusterName];

    public ResourceChange Diff(LiveSnapshot live) =>
        live.Databases.ContainsKey(database) ? ResourceChange.None(Kind, Name) : new(Kind, Name, ChangeAction.Create, [new("cluster", null, desired.ClusterName)]);

    public async Task ApplyAsync(ResourceChange change, ApplyContext context)
    {
        var ovh = context.Apis.Ovh;
        var ct = context.CancellationToken;
        var cluster = context.Outputs["cluster.id"];
        string id;
        try
        {
            id = (await OvhRetry.WhenNotReadyAsync(context, cluster, Name, () => ovh.CreateDatabaseAsync(cluster, database, ct))).Id!;
        }
        catch (Exception e) when (e is CloudUnreachableException || e is OvhApiException { IsServerError: true } || e is OvhApiException { IsConflict: true })
        {
            // "500 but created" and "already exists" both mean: it is there, take it
            id = await FindAsync(ovh, cluster, database, ct) ?? throw AdoptionFailure.Of(e, $"database {database}");
        }
        await context.State.UpdateAsync(s => s with { Databases = new Dictionary<string, string>(s.Databases) { [database] = id } });
    }

    public static async Task<string?> FindAsync(OvhCloudApi ovh, string cluster, string name, CancellationToken ct)
    {
        foreach (var id in await ovh.DatabaseIdsAsync(cluster, ct))
            if ((await ovh.DatabaseAsync(cluster, id, ct)).Name == name)
                return id;
        return null;
    }

    // the cluster's deletion takes its databases with it
    public ResourceChange DestroyChange(LiveSnapshot live, bool destroyData) => ResourceChange.None(Kind, Name);

    public Task DestroyAsync(ApplyContext context) => Task.CompletedTask;
}
