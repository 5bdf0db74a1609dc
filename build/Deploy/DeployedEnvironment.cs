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
        var outputs = state.Outputs;
        if (outputs is not { InstanceId: { } instanceId, Ipv4: { Length: > 0 } ipv4 })
            throw new BuildFailure($"The state of {environment} has no instance with an IPv4: run Apply --env {environment} first.");
        if (outputs is not { DatabaseHost: { Length: > 0 } host, DatabasePort: { } port })
            throw new BuildFailure($"The state of {environment} has no PostgreSQL endpoint yet: run Apply --env {environment} (it waits for the cluster).");
        if (outputs.SealedDatabasePassword is not { Length: > 0 } sealedPassword)
            throw new BuildFailure($"The state of {environment} holds no password of the database user: run Apply --env {environment}, which resets and records it.");
        // a host key pinned for another instance (since replaced) does not hold for this one
        var pinned = state.HostKeyOf(instanceId) is { } key ? new HostKey(key.Algorithm, key.PublicKey) : null;
        return new DeployedEnvironment(instanceId, ipv4, pinned, host, port, outputs.DatabaseCa, sealedPassword);
    }

    /// <summary>The state's record of a host key pinned at first contact with <paramref name="instanceId"/>.</summary>
    public static HostKeyState Pin(HostKey key, string instanceId, DateTimeOffset at) => new(key.Algorithm, key.PublicKeyBase64, key.Fingerprint, at, instanceId);
}
