using System.Globalization;

namespace AccoReboot.Deploy.Remote;

/// <summary>
/// The arguments of the system ssh client for the Ssh target: only the deploy key, only the pinned host key
/// (strict checking, no global or user known_hosts), the remote command if one is given.
/// </summary>
static class SshCommand
{
    public static IReadOnlyList<string> Arguments(string keyFile, string knownHostsFile, HostKey hostKey, SshTarget target, IReadOnlyList<string> command) =>
    [
        "-i", keyFile,
        "-o", "IdentitiesOnly=yes",
        "-o", "IdentityAgent=none",
        "-o", $"UserKnownHostsFile={knownHostsFile}",
        "-o", "GlobalKnownHostsFile=/dev/null",
        "-o", "StrictHostKeyChecking=yes",
        "-o", $"HostKeyAlgorithms={hostKey.Algorithm}",
        "-o", "UpdateHostKeys=no",
        "-p", target.Port.ToString(CultureInfo.InvariantCulture),
        "-l", target.User,
        target.Host,
        .. command,
    ];
}
