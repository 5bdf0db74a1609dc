using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Generators;

namespace AccoReboot.Sandbox.Host;

/// <summary>
/// The private registry of the sandbox: Debian's docker-registry on 127.0.0.1 (Docker talks plain HTTP to
/// loopback registries), with htpasswd authentication for the sandbox's REGISTRY_USERNAME/PASSWORD.
/// Its images are kept across runs, in <paramref name="directory"/>.
/// </summary>
sealed class SandboxRegistry(int port, string directory) : IDisposable
{
    private ServiceProcess? _process;

    public async Task StartAsync(string user, string password, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.Combine(directory, "data"));
        var hash = OpenBsdBCrypt.Generate("2b", password.ToCharArray(), RandomNumberGenerator.GetBytes(16), 10);
        await File.WriteAllTextAsync(Path.Combine(directory, "htpasswd"), $"{user}:{hash}\n", ct);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Path.Combine(directory, "htpasswd"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var config = Path.Combine(directory, "config.yml");
        await File.WriteAllTextAsync(config, $"""
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: {Path.Combine(directory, "data")}
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{port}
            auth:
              htpasswd:
                realm: accoreboot-sandbox
                path: {Path.Combine(directory, "htpasswd")}
            """, ct);
        _process = ServiceProcess.Start("registry", "docker-registry", ["serve", config]);
        await _process.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(20), ct);
    }

    public void Dispose() => _process?.Dispose();
}
