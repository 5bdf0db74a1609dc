using AccoReboot.Cloud.OpenStack;
using AccoReboot.Cloud.Ovh;
using AccoReboot.Infra.Apply;
using AccoReboot.Infra.Resources;
using AccoReboot.State;
using BuildEngine;

namespace AccoReboot.Infra;

/// <summary>
/// Reads what exists now: by the ids in the state when there are some (one call each), otherwise by name, so
/// resources made by a run that stopped before recording them are found, and drift made by hand shows.
/// Also checks the profile's region, flavor, image and database offer against what the APIs list.
/// </summary>
sealed class LiveReader(CloudApis apis)
{
    public async Task<LiveSnapshot> ReadAsync(DesiredEnvironment desired, StateDocument? state, CancellationToken ct)
    {
        var openStack = ReadOpenStackAsync(desired, state, ct);
        var ovh = ReadDatabaseAsync(desired, state, ct);
        await Task.WhenAll(openStack, ovh);
        var database = await ovh;
        return (await openStack) with
        {
            Cluster = database.cluster,
            Databases = database.databases,
            User = database.user,
            UserPasswordKnown = database.user != null && state?.DbUser is { SealedPassword: not null } recorded && recorded.Id == database.user.Id,
        };
    }

    private async Task<LiveSnapshot> ReadOpenStackAsync(DesiredEnvironment desired, StateDocument? state, CancellationToken ct)
    {
        var flavors = apis.Nova.FlavorsAsync(ct);
        var image = apis.Glance.NewestActiveAsync(desired.Image, ct);
        var network = apis.Neutron.NetworkNamedAsync(DesiredEnvironment.ExternalNetwork, ct);
        var group = FindSecurityGroupAsync(desired, state, ct);
        var keypair = apis.Nova.KeypairAsync(desired.KeypairName, ct);
        var server = FindServerAsync(desired, state, ct);
        await Task.WhenAll(flavors, image, network, group, keypair, server);

        var flavor = (await flavors).FirstOrDefault(f => f.Name == desired.Flavor)
                     ?? throw new BuildFailure($"Unknown flavor '{desired.Flavor}' in {desired.Region}: available flavors are {string.Join(", ", (await flavors).Select(f => f.Name).Order())}. Fix Flavor in .nuke/parameters.{desired.Name}.json.");
        if (await image == null)
            throw new BuildFailure($"No active image named '{desired.Image}' in {desired.Region}: available images are {string.Join(", ", await apis.Glance.ActiveNamesAsync(ct))}. Fix Image in .nuke/parameters.{desired.Name}.json.");
        return new LiveSnapshot
        {
            SecurityGroup = await group,
            Keypair = await keypair,
            Server = await server,
            FlavorId = flavor.Id,
            ImageId = (await image)!.Id,
            NetworkId = (await network)?.Id ?? throw new BuildFailure($"No {DesiredEnvironment.ExternalNetwork} network in {desired.Region}."),
            FlavorNames = (await flavors).ToDictionary(f => f.Id, f => f.Name),
        };
    }

    private async Task<SecurityGroup?> FindSecurityGroupAsync(DesiredEnvironment desired, StateDocument? state, CancellationToken ct)
    {
        if (state?.SecurityGroup is { } known && await apis.Neutron.SecurityGroupAsync(known.Id, ct) is { } byId && byId.Name == desired.SecurityGroupName)
            return byId;
        var named = await apis.Neutron.SecurityGroupsNamedAsync(desired.SecurityGroupName, ct);
        return named.Count <= 1
            ? named.SingleOrDefault()
            : throw new BuildFailure($"{named.Count} security groups are named {desired.SecurityGroupName} ({string.Join(", ", named.Select(g => g.Id))}): delete the extra ones, then run again.");
    }

    private async Task<Server?> FindServerAsync(DesiredEnvironment desired, StateDocument? state, CancellationToken ct)
    {
        if (state?.Instance is { } known && await apis.Nova.ServerAsync(known.Id, ct) is { } byId && byId.Name == desired.InstanceName)
            return byId;
        var named = await apis.Nova.ServersNamedAsync(desired.InstanceName, ct);
        return named.Count <= 1
            ? named.SingleOrDefault()
            : throw new BuildFailure($"{named.Count} instances are named {desired.InstanceName} ({string.Join(", ", named.Select(s => s.Id))}): delete the extra ones, then run again.");
    }

    private async Task<(DbService? cluster, IReadOnlyDictionary<string, string> databases, DbUser? user)> ReadDatabaseAsync(
        DesiredEnvironment desired, StateDocument? state, CancellationToken ct)
    {
        await CheckOfferAsync(desired, ct);
        DbService? cluster = null;
        if (state?.DbCluster is { } known)
        {
            try
            {
                var byId = await apis.Ovh.ClusterAsync(known.Id, ct);
                if (byId.Description == desired.ClusterName && byId.Status != "DELETING") cluster = byId;
            }
            catch (OvhApiException e) when (e.IsNotFound)
            {
            }
        }
        cluster ??= await DbClusterResource.FindAsync(apis.Ovh, desired.ClusterName, ct);
        if (cluster == null) return (null, new Dictionary<string, string>(), null);

        var databases = new Dictionary<string, string>();
        foreach (var id in await apis.Ovh.DatabaseIdsAsync(cluster.Id, ct))
            databases[(await apis.Ovh.DatabaseAsync(cluster.Id, id, ct)).Name] = id;
        DbUser? user = null;
        foreach (var id in await apis.Ovh.UserIdsAsync(cluster.Id, ct))
        {
            var candidate = await apis.Ovh.UserAsync(cluster.Id, id, ct);
            if (candidate.Username == desired.Database.User) user = candidate;
        }
        return (cluster, databases, user);
    }

    private async Task CheckOfferAsync(DesiredEnvironment desired, CancellationToken ct)
    {
        var db = desired.Database;
        var offer = await apis.Ovh.CapabilitiesAsync(ct);
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
}
