using AccoReboot.State;

namespace AccoReboot.Infra;

/// <summary>
/// Brings the state's ids in line with what was found live, before anything is applied: a run that stopped
/// between a create and its state write left a resource the state does not know, found again by name.
/// </summary>
static class StateReconciliation
{
    public static StateDocument WithLive(StateDocument state, DesiredEnvironment desired, LiveSnapshot live)
    {
        var next = state with
        {
            SecurityGroup = live.SecurityGroup is { } g ? new SecurityGroupState(g.Id, g.Name) : null,
            Keypair = live.Keypair is { } k ? new KeypairState(k.Name, k.Fingerprint) : null,
            Instance = live.Server is { } s ? new InstanceState(s.Id, s.Name, s.Ipv4, s.Status) : null,
            DbCluster = live.Cluster is { } c
                ? (state.DbCluster?.Id == c.Id ? state.DbCluster with { Status = c.Status } : new DbClusterState(c.Id, c.Description ?? "", c.Status, null, null, null))
                : null,
            Databases = live.Databases.Where(d => desired.Database.Databases.Contains(d.Key)).ToDictionary(d => d.Key, d => d.Value),
            DbUser = live.User is { } u ? (state.DbUser?.Id == u.Id ? state.DbUser : new DbUserState(u.Id, u.Username ?? "", null)) : null,
            DbIpRestrictions = live.Cluster?.IpRestrictions?.Select(r => r.Ip).Order().ToList() ?? [],
            HostKey = live.Server != null && state.Instance?.Id == live.Server.Id ? state.HostKey : null,
            Release = live.Server != null && state.Instance?.Id == live.Server.Id ? state.Release : null,
        };
        return Same(state, next) ? state : next;
    }

    private static readonly Dictionary<string, string> NoDatabases = new();
    private static readonly List<string> NoRestrictions = [];

    // records compare lists and dictionaries by reference: compare what they hold
    private static bool Same(StateDocument a, StateDocument b) =>
        a with { Databases = NoDatabases, DbIpRestrictions = NoRestrictions } == b with { Databases = NoDatabases, DbIpRestrictions = NoRestrictions } &&
        a.Databases.OrderBy(p => p.Key).SequenceEqual(b.Databases.OrderBy(p => p.Key)) &&
        a.DbIpRestrictions.SequenceEqual(b.DbIpRestrictions);
}
