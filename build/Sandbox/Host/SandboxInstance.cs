using AccoReboot.Deploy.Remote;
using BuildEngine;

namespace AccoReboot.Sandbox.Host;

/// <summary>
/// This machine playing the environment's instance: OpenSSH on 127.0.0.1 with its own host key and key-only
/// login for the deploy user (in the docker group), the application directory, and cloud-init's marker. The
/// emulated cloud boots it when a server is created (fresh directory, marker) and wipes it when it is deleted
/// (the stack's containers and volumes, the directory), as a real instance would come and go. It does not run
/// the user-data: the real tool checks that (cloud-init schema).
/// </summary>
sealed class SandboxInstance(SandboxInstanceSettings settings, SandboxDocker docker, ProcessRunner processes) : IDisposable
{
    private ServiceProcess? _sshd;
    private string HostKeyFile => Path.Combine(settings.StateDirectory, "ssh_host_ed25519_key");

    public string LogFile => Path.Combine(settings.StateDirectory, "sshd.log");

    public HostKey HostKey { get; private set; } = null!;

    /// <summary>
    /// The deploy user's authorized_keys on this instance: in a directory of the user's own (Rotate rewrites the file
    /// beside it and renames it, as on a real instance's ~/.ssh), one per sandbox, named to the session by SetEnv.
    /// </summary>
    private string AuthorizedDirectory => Path.Combine(settings.StateDirectory, "authorized", settings.DeployUser);

    public string AuthorizedKeysFile => Path.Combine(AuthorizedDirectory, "authorized_keys");

    public async Task StartAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(settings.StateDirectory);
        // the host key survives restarts, as the pin in the state may
        if (!File.Exists(HostKeyFile)) await RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "accoreboot-sandbox", "-f", HostKeyFile], ct);
        var publicKey = (await File.ReadAllTextAsync(HostKeyFile + ".pub", ct)).Split(' ');
        HostKey = new HostKey(publicKey[0], publicKey[1]);
        await EnsureUserAsync(ct);
        // no key until a server is made with one (Boot)
        if (Directory.Exists(AuthorizedDirectory)) Directory.Delete(AuthorizedDirectory, recursive: true);
        if (File.Exists(AuthorizedDirectory)) File.Delete(AuthorizedDirectory); // the layout before the key was the user's to rewrite
        if (OperatingSystem.IsWindows()) throw new BuildFailure("The sandbox's instance is this machine's OpenSSH server: run it on Linux.");
        Directory.CreateDirectory(AuthorizedDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await RunAsync("chown", [$"{settings.DeployUser}:{settings.DeployUser}", AuthorizedDirectory], ct);
        var config = Path.Combine(settings.StateDirectory, "sshd_config");
        await File.WriteAllTextAsync(config, $"""
            Port {settings.SshPort}
            ListenAddress 127.0.0.1
            HostKey {HostKeyFile}
            PidFile {Path.Combine(settings.StateDirectory, "sshd.pid")}
            AuthorizedKeysFile {Path.Combine(settings.StateDirectory, "authorized")}/%u/authorized_keys
            SetEnv {AccoReboot.Deploy.Remote.AuthorizedKeys.FileVariable}={AuthorizedKeysFile}
            StrictModes no
            UsePAM no
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PubkeyAuthentication yes
            AllowUsers {settings.DeployUser}
            """, ct);
        Directory.CreateDirectory("/run/sshd");
        // its log (one "Accepted publickey" line per connection) is what bench/deploy counts connections with
        _sshd = ServiceProcess.Start("SSH server", "/usr/sbin/sshd", ["-D", "-E", LogFile, "-f", config], LogFile);
        await _sshd.WaitUntilListeningAsync(settings.SshPort, TimeSpan.FromSeconds(10), ct);
    }

    /// <summary>What cloud-init prints on the console of a booted instance: the SSH host key fingerprints.</summary>
    public string ConsoleOutput(string serverName)
    {
        var prefix = $"<14>{DateTime.UtcNow:MMM dd HH:mm:ss} cloud-init: ";
        return $"[    0.000000] Linux version 6.8.0-generic (sandbox)\n" +
               $"{prefix}#############################################################\n" +
               $"{prefix}-----BEGIN SSH HOST KEY FINGERPRINTS-----\n" +
               $"{prefix}256 {HostKey.Fingerprint} root@{serverName} (ED25519)\n" +
               $"{prefix}-----END SSH HOST KEY FINGERPRINTS-----\n" +
               $"{prefix}#############################################################\n" +
               $"Cloud-init v. 24.4 finished. Datasource DataSourceConfigDrive. {serverName}\n";
    }

    /// <summary>A server was created with <paramref name="authorizedKey"/> (its keypair's): an empty application directory, the key, and cloud-init is done.</summary>
    public void Boot(string authorizedKey)
    {
        Wipe();
        var keys = AuthorizedKeysFile + ".tmp";
        File.WriteAllText(keys, authorizedKey.Trim() + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(keys, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        RunAsync("chown", [$"{settings.DeployUser}:{settings.DeployUser}", keys], CancellationToken.None).GetAwaiter().GetResult();
        File.Move(keys, AuthorizedKeysFile, overwrite: true);
        Directory.CreateDirectory(settings.AppDirectory);
        RunAsync("chown", [$"{settings.DeployUser}:{settings.DeployUser}", settings.AppDirectory], CancellationToken.None).GetAwaiter().GetResult();
        Directory.CreateDirectory(Path.GetDirectoryName(settings.MarkerFile)!);
        File.WriteAllText(settings.MarkerFile, "");
    }

    /// <summary>The server was deleted: what ran on it is gone.</summary>
    public void Wipe()
    {
        docker.RemoveProject(settings.Project);
        if (Directory.Exists(settings.AppDirectory)) Directory.Delete(settings.AppDirectory, recursive: true);
        File.Delete(settings.MarkerFile);
        if (File.Exists(AuthorizedKeysFile)) File.Delete(AuthorizedKeysFile);
    }

    /// <summary>
    /// The server was rebooted: what plays its power cycle is this machine's Docker Engine, stopped (it stops every
    /// container) and started again (those with a restart policy come back, as after a boot), in the background as a
    /// reboot goes on after the API's answer. Under systemd (a CI runner) systemctl does it; otherwise the dockerd
    /// Setup started is stopped with SIGTERM and started again with its own command line.
    /// </summary>
    public void Reboot() => _ = Task.Run(async () =>
    {
        try
        {
            await RestartDockerEngineAsync();
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"sandbox: the instance's reboot (restarting the Docker Engine) failed: {e.Message}");
        }
    });

    private async Task RestartDockerEngineAsync()
    {
        var ct = CancellationToken.None;
        if (Directory.Exists("/run/systemd/system"))
        {
            await RunAsync("systemctl", ["restart", "docker"], ct);
            return;
        }
        var pid = int.Parse(File.ReadAllText("/var/run/docker.pid").Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var commandLine = File.ReadAllText($"/proc/{pid}/cmdline").TrimEnd('\0').Split('\0');
        await RunAsync("kill", ["-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)], ct);
        for (var i = 0; i < 600 && Directory.Exists($"/proc/{pid}"); i++) await Task.Delay(100, ct);
        await RunAsync("sh", ["-c", "nohup \"$@\" >>/var/log/dockerd-accoreboot.log 2>&1 &", "sh", .. commandLine], ct);
        for (var i = 0; i < 600; i++)
        {
            if ((await processes.RunAsync("docker", ["info"], echoOutput: false, cancellationToken: ct)).Succeeded) return;
            await Task.Delay(100, ct);
        }
        throw new BuildFailure("the Docker Engine did not answer within 60 s of its restart: see /var/log/dockerd-accoreboot.log.");
    }

    private async Task EnsureUserAsync(CancellationToken ct)
    {
        async Task<bool> Exists() => (await processes.RunAsync("id", ["-u", settings.DeployUser], echoOutput: false, cancellationToken: ct)).Succeeded;
        if (await Exists()) return;
        var added = await processes.RunAsync("useradd", ["-m", "-s", "/bin/bash", "-G", "docker", settings.DeployUser], echoOutput: false, cancellationToken: ct);
        // another sandbox (a test beside this one) may have made it in the meantime
        if (!added.Succeeded && !await Exists())
            throw new BuildFailure($"The sandbox could not create the user {settings.DeployUser}: {(added.StandardError + added.StandardOutput).Trim()}");
        await RunAsync("usermod", ["-p", "*", settings.DeployUser], ct); // sshd without PAM refuses locked accounts, even to keys
    }

    private async Task RunAsync(string program, IEnumerable<string> arguments, CancellationToken ct)
    {
        var result = await processes.RunAsync(program, arguments, echoOutput: false, cancellationToken: ct);
        if (!result.Succeeded) throw new BuildFailure($"The sandbox could not run {program}: {(result.StandardError + result.StandardOutput).Trim()}");
    }

    public void Dispose() => _sshd?.Dispose();
}
