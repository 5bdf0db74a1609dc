using AccoReboot.Deploy.Remote;
using AccoReboot.State;
using BuildEngine;

namespace AccoReboot.Deploy;

/// <summary>
/// What a deploy needs from the state Apply left: the instance and its address, the pinned host key, the
/// managed PostgreSQL's endpoint and CA, and the sealed password of the database user.
/// </summary>
sealed record DeployedEnvironment(
    string InstanceId,
    string Ipv4,
    HostKey? PinnedKey,
    string DatabaseHost,
    int DatabasePort,
    string? DatabaseCa,
    string SealedDatabasePassword)
{
    public static DeployedEnvironment From(StateDocument? state, string environment)
    {
        if (state == null || state.IsEmpty)
            throw new BuildFailure($"{environment} has no state: nothing was provisioned. Run Up --env {environment} (or Init and Apply) first.");
        if (state.Instance is not { Ipv4: { Length: > 0 } ipv4 } instance)
            throw new BuildFailure($"The state of {environment} has no instance with an IPv4: run Apply --env {environment} first.");
        if (state.DbCluster is not { Host: { Length: > 0 } host, Port: { } port } cluster)
            throw new BuildFailure($"The state of {environment} has no PostgreSQL endpoint yet: run Apply --env {environment} (it waits for the cluster).");
        if (state.DbUser is not { SealedPassword: { Length: > 0 } sealedPassword })
            throw new BuildFailure($"The state of {environment} holds no password of the database user: run Apply --env {environment}, which resets and records it.");
        var pinned = state.HostKey is { } key ? new HostKey(key.Algorithm, key.PublicKey) : null;
        return new DeployedEnvironment(instance.Id, ipv4, pinned, host, port, cluster.CaCertificate, sealedPassword);
    }

    /// <summary>The state's record of a host key pinned at first contact.</summary>
    public static HostKeyState Pin(HostKey key, DateTimeOffset at) => new(key.Algorithm, key.PublicKeyBase64, key.Fingerprint, at);
}
