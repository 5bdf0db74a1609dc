using AccoReboot.Cloud.Ovh;
using AccoReboot.Infra.Apply;
using AccoReboot.State;
using BuildEngine;

namespace AccoReboot.Infra.Resources;

sealed record DbClusterState(string Id, string Description, string? Status, string? Host, int? Port, string? CaCertificate);

/// <summary>The cluster as read, with its CA certificate once it is READY (needed for verify-full TLS).</summary>
sealed record DbClusterLive(DbService Service, string? Ca)
{
    public string Id => Service.Id;
    public string? Region => Service.Nodes?.FirstOrDefault()?.Region;
}

/// <summary>
/// The managed PostgreSQL cluster, found by its description (&lt;env&gt;-postgresql). Plan, flavor, version, node
/// count and disk change in place (PUT, then UPDATING → READY); the region cannot change without a new cluster,
/// which loses the data. Creation takes minutes: the instance is created meanwhile, and when it already runs the
/// cluster lets it in from the start (an update cycle saved).
/// </summary>
sealed class DbClusterResource(DesiredEnvironment desired, InstanceResource instance) : Resource<DbClusterLive, DbClusterState>
{
    public override string Kind => "db-cluster";
    public override string Name => desired.ClusterName;

    /// <summary>The cluster's id during an apply, for the resources inside it.</summary>
    public string IdIn(ApplyContext context) =>
        context.Current(this)?.Id ?? throw new BuildFailure($"The PostgreSQL cluster {Name} does not exist yet: run Apply again.");

    private Task? _offer;

    /// <summary>The profile's database offer checked against OVH's capabilities while the run takes the state lock.</summary>
    public override Task PrepareAsync(Cloud.CloudApis apis, CancellationToken ct) => _offer ??= CheckOfferAsync(apis.Ovh, ct);

    protected override async Task<DbClusterLive?> ReadAsync(DbClusterState? recorded, ReadContext context)
    {
        var (ovh, ct) = (context.Apis.Ovh, context.CancellationToken);
        await (_offer ??= CheckOfferAsync(ovh, ct));
        DbService? cluster = null;
        if (recorded != null)
        {
            try
            {
                var byId = await ovh.ClusterAsync(recorded.Id, ct);
                if (byId.Description == Name && byId.Status != "DELETING") cluster = byId;
            }
            catch (OvhApiException e) when (e.IsNotFound)
            {
            }
        }
        cluster ??= await FindAsync(ovh, Name, ct);
        if (cluster == null) return null;
        // the CA once per cluster: a READY cluster whose CA the state lacks (a run stopped before recording it)
        var ca = recorded?.Id == cluster.Id ? recorded.CaCertificate : null;
        if (ca == null && cluster.Status == "READY") ca = (await ovh.CertificatesAsync(cluster.Id, ct)).Ca;
        return new DbClusterLive(cluster, ca);
    }

    protected override ResourceChange Diff(DbClusterLive? live, PlanContext plan)
    {
        var db = desired.Database;
        if (live == null)
            return new(Kind, Name, ChangeAction.Create,
            [
                new("version", null, db.Version), new("plan", null, db.Plan), new("flavor", null, db.Flavor),
                new("region", null, db.Region), new("nodes", null, db.Nodes.ToString()),
            ]);
        var cluster = live.Service;
        var changes = new List<AttributeChange>();
        if (live.Region != null && live.Region != db.Region) changes.Add(new("region", live.Region, db.Region, ForcesReplacement: true));
        if (cluster.Version != db.Version) changes.Add(new("version", cluster.Version, db.Version));
        if (cluster.Plan != db.Plan) changes.Add(new("plan", cluster.Plan, db.Plan));
        if (cluster.Flavor != db.Flavor) changes.Add(new("flavor", cluster.Flavor, db.Flavor));
        if (cluster.NodeNumber != db.Nodes) changes.Add(new("nodes", cluster.NodeNumber?.ToString(), db.Nodes.ToString()));
        if (db.DiskSize is { } size && cluster.Disk?.Size != size) changes.Add(new("disk", cluster.Disk?.Size?.ToString(), size.ToString()));
        if (db.BackupTime is { } time && cluster.Backups?.Time != time) changes.Add(new("backup time", cluster.Backups?.Time, time));
        var note = cluster.Status is "READY" or null ? null : $"status {cluster.Status}";
        if (changes.Count == 0) return None(note);
        return new(Kind, Name, changes.Any(c => c.ForcesReplacement) ? ChangeAction.Replace : ChangeAction.Update, changes, note);
    }

    protected override async Task<DbClusterLive> ApplyAsync(ResourceChange change, DbClusterLive? live, ApplyContext context)
    {
        var ovh = context.Apis.Ovh;
        var ct = context.CancellationToken;
        string id;
        if (change.Action == ChangeAction.Update)
        {
            id = live!.Id;
            await WaitReadyAsync(context, id);
            await WhenBusyAsync(context, this, id, async () => await ovh.UpdateClusterAsync(id, Update(await ovh.ClusterAsync(id, ct)), ct));
        }
        else
        {
            if (change.Action == ChangeAction.Replace)
            {
                await DestroyAsync(live!, context);
                await RecordAsync(context, null);
            }
            id = await CreateAsync(context);
        }
        return await ReadyAsync(context, id);
    }

    private async Task<string> CreateAsync(ApplyContext context)
    {
        var ovh = context.Apis.Ovh;
        var ct = context.CancellationToken;
        var db = desired.Database;
        var restrictions = context.Current(instance)?.Server is { Ipv4: { } ip, Status: not "ERROR" }
            ? new[] { new DbIpRestriction($"{ip}/32", desired.InstanceName) }
            : [];
        var created = await CreateOrAdoptAsync($"PostgreSQL cluster {Name}",
            () => ovh.CreateClusterAsync(new DbServiceCreation(Name, db.Plan, db.Version, new DbNodePattern(db.Flavor, db.Nodes, db.Region),
                restrictions, db.DiskSize is { } size ? new DbDisk(size) : null, Backups(db)), ct),
            () => FindAsync(ovh, Name, ct));
        await RecordSliceAsync(context, new DbClusterState(created.Id, Name, created.Status, null, null, null));
        return created.Id;
    }

    /// <summary>Waits for READY, then reads the CA: what the cluster is once a change is through.</summary>
    public async Task<DbClusterLive> ReadyAsync(ApplyContext context, string id)
    {
        var ready = await WaitReadyAsync(context, id);
        return new DbClusterLive(ready, (await context.Apis.Ovh.CertificatesAsync(id, context.CancellationToken)).Ca);
    }

    private DbServiceUpdate Update(DbService live)
    {
        var db = desired.Database;
        return new DbServiceUpdate(Name, db.Plan, db.Version, db.Flavor, db.Nodes, live.IpRestrictions?.Select(r => new DbIpRestriction(r.Ip, r.Description)).ToList() ?? [],
            db.DiskSize is { } size ? new DbDisk(size) : null, Backups: Backups(db));
    }

    // OVH's own daily backups of the cluster (their retention is the plan's), kept in the cluster's region
    private static DbBackups? Backups(DatabaseSpec db) => db.BackupTime is { } time ? new DbBackups(time, [db.Region]) : null;

    /// <summary>The cluster whose description is <paramref name="name"/>; two of them is an error for a person to solve.</summary>
    private static async Task<DbService?> FindAsync(OvhCloudApi ovh, string name, CancellationToken ct)
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

    private async Task CheckOfferAsync(OvhCloudApi ovh, CancellationToken ct)
    {
        var db = desired.Database;
        var offer = await ovh.CapabilitiesAsync(ct);
        var problems = new List<string>();
        var versions = offer.Engines?.FirstOrDefault(e => e.Name == "postgresql")?.Versions ?? [];
        if (!versions.Contains(db.Version)) problems.Add($"Unknown PostgreSQL version '{db.Version}' (DbVersion): available {string.Join(", ", versions)}.");
        var plans = offer.Plans?.Select(p => p.Name).ToList() ?? [];
        if (!plans.Contains(db.Plan)) problems.Add($"Unknown database plan '{db.Plan}' (DbPlan): available {string.Join(", ", plans)}.");
        var flavors = offer.Flavors?.Select(f => f.Name).ToList() ?? [];
        if (!flavors.Contains(db.Flavor)) problems.Add($"Unknown database flavor '{db.Flavor}' (DbFlavor): available {string.Join(", ", flavors)}.");
        var regions = offer.Regions ?? [];
        if (!regions.Contains(db.Region)) problems.Add($"Unknown database region '{db.Region}' (DbRegion): available {string.Join(", ", regions)}.");
        if (problems.Count > 0)
            throw new BuildFailure(string.Join(Environment.NewLine, problems.Select(p => $".nuke/parameters.{desired.Name}.json: {p}")));
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

    /// <summary>
    /// Runs a change to the cluster or inside it. OVH answers 409 ServiceNotReady to any change while the cluster is
    /// not READY (and to a second change at once): wait for READY and try again.
    /// </summary>
    public async Task<T> WhenBusyAsync<T>(ApplyContext context, IResource who, string id, Func<Task<T>> call)
    {
        while (true)
        {
            try
            {
                return await call();
            }
            catch (OvhApiException e) when (e.IsConflict && e.ErrorClass is "Client::Conflict::ServiceNotReady" or "Client::Conflict::ServiceOnlyOneModification")
            {
                context.Report(who, "cluster busy, waiting for READY");
                await WaitReadyAsync(context, id, who);
            }
        }
    }

    /// <summary>Waits for the cluster to be READY (what OVH needs before any change to it or inside it).</summary>
    public async Task<DbService> WaitReadyAsync(ApplyContext context, string id, IResource? reporter = null)
    {
        var cluster = await context.Poller.UntilAsync($"PostgreSQL cluster {id} to be READY", token => context.Apis.Ovh.ClusterAsync(id, token),
            c => c.Status is "READY" or "ERROR" or "DELETING", context.Polling.ClusterTimeout, c => context.Report(reporter ?? this, $"cluster {c.Status ?? "?"}"));
        if (cluster.Status == "ERROR") throw new BuildFailure($"PostgreSQL cluster {id} went to ERROR: see the OVH console, or contact OVH support.");
        if (cluster.Status == "DELETING") throw new BuildFailure($"PostgreSQL cluster {id} is being deleted (by someone else?): it will not be READY again. Run Apply once it is gone.");
        return cluster;
    }

    protected override DbClusterState? Record(DbClusterLive? live, DbClusterState? recorded)
    {
        if (live == null) return null;
        var same = recorded?.Id == live.Id ? recorded : null;
        var endpoint = live.Service.Endpoints?.FirstOrDefault(e => e.Component == "postgresql");
        return new DbClusterState(live.Id, live.Service.Description ?? "", live.Service.Status, endpoint?.Domain ?? same?.Host, endpoint?.Port ?? same?.Port,
            live.Ca ?? same?.CaCertificate);
    }

    protected override EnvironmentOutputs Export(DbClusterState recorded, EnvironmentOutputs outputs) =>
        outputs with { DatabaseHost = recorded.Host, DatabasePort = recorded.Port, DatabaseCa = recorded.CaCertificate, DatabaseStatus = recorded.Status };

    protected override ResourceChange DestroyChange(DbClusterLive? live, bool destroyData)
    {
        if (live == null) return None();
        if (desired.Protected && !destroyData)
            return new(Kind, Name, ChangeAction.Keep, [], $"{desired.Name} is protected: its database is kept (add --destroy-database to delete it)");
        return new(Kind, Name, ChangeAction.Delete, [new("databases", string.Join(", ", desired.Database.Databases), null)]);
    }

    protected override async Task DestroyAsync(DbClusterLive live, ApplyContext context)
    {
        var ovh = context.Apis.Ovh;
        var id = live.Id;
        await WhenBusyAsync(context, this, id, async () =>
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
        await context.Poller.UntilAsync($"PostgreSQL cluster {id} to be deleted", token => StatusAsync(ovh, id, token), status => status == null,
            context.Polling.ClusterTimeout, status => context.Report(this, status == null ? "deleted" : $"cluster {status}"));
    }
}
