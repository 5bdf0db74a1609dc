using AccoReboot.Deploy.Remote;
using AccoReboot.Session;
using AccoReboot.Secrets;
using AccoReboot.State;

namespace AccoReboot.Deploy;

/// <summary>The SSH target of an environment's instance: its address from the state, the deploy key, and how its host key is trusted.</summary>
static class StackConnection
{
    /// <summary>The instance and database of the environment, read from its state without the lock (the read-only targets).</summary>
    public static async Task<(DeployedEnvironment site, StateDocument? state)> ReadAsync(DeploymentInputs inputs, EnvironmentSession session, CancellationToken ct)
    {
        var stored = await session.State.ReadAsync(ct);
        return (DeployedEnvironment.From(stored?.Document, inputs.Environment), stored?.Document);
    }

    public static DeployTarget Target(DeploymentInputs inputs, EnvironmentSession session, DeployedEnvironment site, DeployKey key, Func<HostKey, Task>? onPinned) =>
        Target(inputs, site, key, ct => session.Apis.Nova.ConsoleOutputAsync(site.InstanceId, ct), onPinned);

    public static DeployTarget Target(DeploymentInputs inputs, DeployedEnvironment site, DeployKey key, Func<CancellationToken, Task<string>> console,
        Func<HostKey, Task>? onPinned) =>
        new(new SshTarget(site.Ipv4, inputs.Ssh.Port, inputs.Ssh.User, key.PrivateKey), site.PinnedKey, console, inputs.Ssh.KnownHostsFile, onPinned);

    /// <summary>The instance this machine reached last, with the host key pinned then (a no-op Deploy's head start).</summary>
    public static DeployTarget Target(DeploymentInputs inputs, LastContact last, DeployKey key) =>
        new(new SshTarget(last.Ipv4, inputs.Ssh.Port, inputs.Ssh.User, key.PrivateKey), last.PinnedKey,
            _ => throw new InvalidOperationException("the host key is pinned"), inputs.Ssh.KnownHostsFile);
}
