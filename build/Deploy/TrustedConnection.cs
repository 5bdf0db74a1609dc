using AccoReboot.Deploy.Remote;
using BuildEngine;

namespace AccoReboot.Deploy;

/// <summary>
/// Opens the SSH connection to an environment's instance with its host key checked: the key pinned in the state,
/// else the fingerprints cloud-init printed on the instance's console, else a known_hosts file. A key trusted at
/// first contact is handed to the target's OnPinned at once, so it is kept even when what follows fails.
/// </summary>
sealed class TrustedConnection(BuildLog log)
{
    public async Task<SshSession> OpenAsync(DeployTarget target, CancellationToken ct)
    {
        IReadOnlySet<string> fingerprints = new HashSet<string>();
        IReadOnlyList<HostKey> known = [];
        if (target.PinnedKey == null)
        {
            if (target.KnownHostsFile != null) known = HostKeyPin.FromKnownHosts(await ReadKnownHostsAsync(target.KnownHostsFile, ct), target.Ssh.Host, target.Ssh.Port);
            else fingerprints = HostKeyPin.FingerprintsFromConsole(await target.ConsoleOutput(ct));
        }
        var trust = new HostKeyTrust(target, fingerprints, known);
        var session = await SshSession.ConnectAsync(target.Ssh, trust.Decide, ct);
        if (!trust.Pinned) return session;
        log.Info(target.OnPinned != null
            ? $"Pinned the host key of {target.Ssh.Host}: {session.PresentedKey.Fingerprint} ({session.PresentedKey.Algorithm})."
            : $"Trusted the host key of {target.Ssh.Host} from its console: {session.PresentedKey.Fingerprint} ({session.PresentedKey.Algorithm}); Deploy pins it.");
        try
        {
            if (target.OnPinned != null) await target.OnPinned(session.PresentedKey);
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
        return session;
    }

    private static async Task<string> ReadKnownHostsAsync(string file, CancellationToken ct)
    {
        if (!File.Exists(file)) throw new BuildFailure($"--known-hosts {file} does not exist (or is not a file).");
        try
        {
            return await File.ReadAllTextAsync(file, ct);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BuildFailure($"--known-hosts {file}: cannot read it ({e.Message.TrimEnd('.')}).");
        }
    }
}
