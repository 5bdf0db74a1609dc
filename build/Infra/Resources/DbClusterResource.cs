using AccoReboot.Cloud.Http;
using AccoReboot.Cloud.Ovh;
using AccoReboot.Infra.Apply;
using AccoReboot.State;
using BuildEngine;

namespace AccoReboot.Infra.Resources;

/// <summary>
/// The managed PostgreSQL cluster, found by its description (&lt;env&gt;-postgresql). Plan, flavor, version, node
/// count and disk change in place (PUT, then UPDATING → READY); the region cannot change without a new cluster,
/// which loses the data. Creation takes minutes: the instance is created meanwhile.
/// </summary>
sealed class DbClusterResource(DesiredEnvironment desired) : IManagedResource
{
    public string Kind => "db-cluster";
    public string Name => desired.ClusterName;
    public IReadOnlyList<string> DependsOn => [];

    public ResourceChange Diff(LiveSnapshot live)
    {
        var db = desired.Database;
        var cluster = live.Cluster;
        if (cluster == null)
            return new(Kind, Name, ChangeAction.Create,
            [
                new("version", null, db.Version), new("plan", null, db.Plan), new("flavor", null, db.Flavor),
                new("region", null, db.Region), new("nodes", null, db.Nodes.ToString()),
            ]);
        var changes = new List<AttributeChange>();
        if (live.ClusterRegion != null && live.ClusterRegion != db.Region) changes.Add(new("region", live.ClusterRegion, db.Region, ForcesReplacement: true));
        if (cluster.Version != db.Version) changes.Add(new("version", cluster.Version, db.Version));
        if (cluster.Plan != db.Plan) changes.Add(new("plan", cluster.Plan, db.Plan));
        if (cluster.Flavor != db.Flavor) changes.Add(new("flavor", cluster.Flavor, db.Flavor));
        if (cluster.NodeNumber != db.Nodes) changes.Add(new("nodes", cluster.NodeNumber?.ToString(), db.Nodes.ToString()));
        if (db.DiskSize is { } size && cluster.Disk?.Size != size) changes.Add(new("disk", cluster.Disk?.Size?.ToString(), size.ToString()));
        var note = cluster.Status is "READY" or null ? null : $"status {cluster.Status}";
        if (changes.Count == 0) return ResourceChange.None(Kind, Name, note);
        return new(Kind, Name, changes.Any(c => c.ForcesReplacement) ? ChangeAction.Replace : ChangeAction.Update, changes, note);
    }

    public async Task ApplyAsync(ResourceChange change, ApplyContext context)
    {
        var ovh = context.Apis.Ovh;
        var ct = context.CancellationToken;
        string id;
        if (change.Action == ChangeAction.Update)
        {
            id = context.Live.Cluster!.Id;
            context.Outputs["cluster.id"] = id;
            await WaitReadyAsync(context, id, Name);
            await OvhRetry.WhenNotReadyAsync(context, id, Name, async () =>
            {
                var live = await ovh.ClusterAsync(id, ct);
                return await ovh.UpdateClusterAsync(id, Update(live), ct);
            });
        }
        else
        {
            if (change.Action == ChangeAction.Replace) await DestroyAsync(context);
            id = await CreateAsync(context);
            context.Outputs["cluster.id"] = id;
        }
        var ready = await WaitReadyAsync(context, id, Name);
        await RecordAsync(context, ready);
    }

    private async Task<string> CreateAsync(ApplyContext context)
    {
        var ovh = context.Apis.Ovh;
        var ct = context.CancellationToken;
        var db = desired.Database;
        // when the instance already runs, let it in from the start and save an update cycle later
        var restrictions = context.Live.Server?.Ipv4 is { } ip && !context.Live.Server.Status.Equals("ERROR")
            ? new[] { new DbIpRestriction($"{ip}/32", desired.InstanceName) }
            : [];
        try
        {
            var created = await ovh.CreateClusterAsync(new DbServiceCreation(Name, db.Plan, db.Version, new DbNodePattern(db.Flavor, db.Nodes, db.Region),
                restrictions, db.DiskSize is { } size ? new DbDisk(size) : null), ct);
            await context.State.UpdateAsync(s => s with { DbCluster = new DbClusterState(created.Id, Name, created.Status, null, null, null) });
            return created.Id;
        }
        catch (Exception e) when (e is CloudUnreachableException || e is OvhApiException { IsServerError: true })
        {
            // OVH sometimes answers 500 to a create that did happen: adopt it by its name
            var found = await FindAsync(ovh, Name, ct) ?? throw AdoptionFailure.Of(e, $"PostgreSQL cluster {Name}");
            await context.State.UpdateAsync(s => s with { DbCluster = new DbClusterState(found.Id, Name, found.Status, null, null, null) });
            return found.Id;
        }
    }

    private DbServiceUpdate Update(DbService live)
    {
        var db = desired.Database;
        return new DbServiceUpdate(Name, db.Plan, db.Version, db.Flavor, db.Nodes, live.IpRestrictions?.Select(r => new DbIpRestriction(r.Ip, r.Description)).ToList() ?? [],
            db.DiskSize is { } size ? new DbDisk(size) : null);
    }

    /// <summary>The cluster whose description is <paramref name="name"/>; two of them is an error for a person to solve.</summary>
    public static async Task<DbService?> FindAsync(OvhCloudApi ovh, string name, CancellationToken ct)
    {
        var clusters = new List<DbService>();
        foreach (var id in await ovh.ClusterIdsAsync(ct))
        {
            var cluster = await ovh.ClusterAsync(id, ct);
            if (cluster.Description == name && cluster.Status != "DELETING") clusters.Add(cluster);
        }
        return clusters.Count switch
        {
            0 => null,
            1 => clusters[0],
            _ => throw new BuildFailure($"{clusters.Count} PostgreSQL clusters are named {name} ({string.Join(", ", clusters.Select(c => c.Id))}): delete the extra one in the OVH console, then run again."),
        };
    }

    private static async Task<string?> StatusAsync(OvhCloudApi ovh, string id, CancellationToken ct)
    {
        try
        {
            return (await ovh.ClusterAsync(id, ct)).Status;
        }
        catch (OvhApiException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    public static async Task<DbService> WaitReadyAsync(ApplyContext context, string id, string who)
    {
        var cluster = await context.Poller.UntilAsync($"PostgreSQL cluster {id} to be READY", token => context.Apis.Ovh.ClusterAsync(id, token),
            c => c.Status is "READY" or "ERROR" or "DELETING", context.Polling.ClusterTimeout, c => context.Report(who, c.Status ?? "?"));
        if (cluster.Status == "ERROR") throw new BuildFailure($"PostgreSQL cluster {id} went to ERROR: see the OVH console, or contact OVH support.");
        if (cluster.Status == "DELETING") throw new BuildFailure($"PostgreSQL cluster {id} is being deleted (by someone else?): it will not be READY again. Run Apply once it is gone.");
        return cluster;
    }

    /// <summary>Records the cluster with its endpoint and CA (needed for verify-full TLS).</summary>
    public static async Task RecordAsync(ApplyContext context, DbService cluster)
    {
        var endpoint = cluster.Endpoints?.FirstOrDefault(e => e.Component == "postgresql");
        var ca = (await context.Apis.Ovh.CertificatesAsync(cluster.Id, context.CancellationToken)).Ca;
        await context.State.UpdateAsync(s => s with
        {
            DbCluster = new DbClusterState(cluster.Id, cluster.Description ?? "", cluster.Status, endpoint?.Domain, endpoint?.Port, ca),
        });
    }

    public ResourceChange DestroyChange(LiveSnapshot live, bool destroyData)
    {
        if (live.Cluster == null) return ResourceChange.None(Kind, Name);
        if (desired.Protected && !destroyData)
            return new(Kind, Name, ChangeAction.Keep, [], $"{desired.Name} is protected: its database is kept (add --destroy-database to delete it)");
        return new(Kind, Name, ChangeAction.Delete, [new("databases", string.Join(", ", live.Databases.Keys.Where(k => k != "defaultdb")), null)]);
    }

    public async Task DestroyAsync(ApplyContext context)
    {
        var ovh = context.Apis.Ovh;
        var id = context.Live.Cluster!.Id;
        await OvhRetry.WhenNotReadyAsync(context, id, Name, async () =>
        {
            try
            {
                await ovh.DeleteClusterAsync(id, context.CancellationToken);
            }
            catch (OvhApiException e) when (e.IsConflict)
            {
                // a DELETE retried after an error whose first attempt went through: the cluster is being deleted already
                if (await StatusAsync(ovh, id, context.CancellationToken) is not ("DELETING" or null)) throw;
            }
            return true;
        });
        await context.Poller.UntilAsync($"PostgreSQL cluster {id} to be deleted", async token =>
        {
            try
            {
                return (await ovh.ClusterAsync(id, token)).Status;
            }
            catch (OvhApiException e) when (e.IsNotFound)
            {
                return null;
            }
        }, status => status == null, context.Polling.ClusterTimeout, status => context.Report(Name, status ?? "deleted"));
        await context.State.UpdateAsync(s => s with { DbCluster = null, Databases = new(), DbUser = null, DbIpRestrictions = [] });
    }
}
