using System.Diagnostics;
using AccoReboot.Deploy.Remote;
using AccoReboot.Secrets;
using BuildEngine;

namespace AccoReboot.Deploy;

/// <summary>
/// The Ssh target: the system ssh client on the terminal, with the deploy key in a 0600 scratch file and a
/// known_hosts holding only the pinned host key (or the one the console vouches for, before the first deploy).
/// </summary>
sealed class InteractiveShell(DeploymentInputs inputs, BuildLog log, CancellationToken cancellationToken)
{
    public async Task<int> RunAsync(IReadOnlyList<string> command)
    {
        var session = await inputs.OpenSession();
        var (site, _) = await StackConnection.ReadAsync(inputs, session, cancellationToken);
        var deployKey = await inputs.DeployKey();
        var target = StackConnection.Target(inputs, session, site, deployKey, null);
        var hostKey = site.PinnedKey;
        if (hostKey == null)
        {
            await using var probe = await new TrustedConnection(log).OpenAsync(target, cancellationToken);
            hostKey = probe.PresentedKey;
        }
        using var key = PrivateScratchFile.Create("deploy_key", deployKey.PrivateKey.Replace("\r\n", "\n").Trim() + "\n");
        var knownHosts = Path.Combine(Path.GetDirectoryName(key.Path)!, "known_hosts");
        await File.WriteAllTextAsync(knownHosts, hostKey.KnownHostsLine(site.Ipv4, inputs.Ssh.Port) + "\n", cancellationToken);
        var info = new ProcessStartInfo("ssh") { UseShellExecute = false }; // the terminal is inherited
        foreach (var argument in SshCommand.Arguments(key.Path, knownHosts, hostKey, target.Ssh, command)) info.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new BuildFailure("Cannot start ssh.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new BuildFailure($"Cannot start the ssh client ({e.Message}): install OpenSSH's client.");
        }
        using (process)
        {
            await process.WaitForExitAsync(CancellationToken.None);
            return process.ExitCode;
        }
    }
}
