using AccoReboot.Deploy.Remote;

namespace AccoReboot.Deploy;

/// <summary>Decides on the key a host presents; a refusal is the message the user sees.</summary>
sealed class HostKeyTrust(DeployTarget target, IReadOnlySet<string> consoleFingerprints, IReadOnlyList<HostKey> knownHosts)
{
    public bool Pinned { get; private set; }

    public string? Decide(HostKey presented)
    {
        var host = target.Ssh.Host;
        if (target.PinnedKey is { } pinned)
            return pinned.Algorithm == presented.Algorithm && pinned.PublicKeyBase64 == presented.PublicKeyBase64
                ? null
                : $"The host key of {host} is not the one pinned at first contact (pinned {pinned.Fingerprint} {pinned.Algorithm}, presented {presented.Fingerprint} {presented.Algorithm}). " +
                  "Someone may be in the middle; if the instance was replaced by hand, run Apply (it forgets the pin of a replaced instance). Not connecting.";
        if (consoleFingerprints.Contains(presented.Fingerprint) || knownHosts.Any(k => k == presented))
        {
            Pinned = true;
            return null;
        }
        return consoleFingerprints.Count == 0 && knownHosts.Count == 0
            ? $"Cannot verify the host key of {host} ({presented.Fingerprint}): its console shows no SSH host key fingerprints yet (cloud-init still running?) and no --known-hosts file lists it. Not connecting."
            : $"The host key of {host} ({presented.Fingerprint} {presented.Algorithm}) is not among the fingerprints its console shows or the known_hosts file lists. Not connecting.";
    }
}
