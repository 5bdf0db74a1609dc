using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using BuildEngine;

namespace AccoReboot.Sandbox.Host;

/// <summary>
/// The sandbox's ACME CA: Debian's Pebble (Let's Encrypt's test server), as Caddy on the instance asks Let's
/// Encrypt. Its directory listens on the Docker host's gateway address, which Caddy's container reaches by the
/// name the profile maps to host-gateway; it validates HTTP-01 and TLS-ALPN-01 for real, resolving the domain
/// through the sandbox's DNS (the emulated zone Apply wrote) and connecting to the stack's published ports.
/// It writes the root of its own TLS listener (the profile's AcmeCaRoot, which Caddy trusts) and, once started, the
/// root that issues the certificates (SiteCaRoot, which Smoke and Deploy's health check trust). Pebble makes a new
/// issuing root at every start, so the instance's certificates go with it (the instance is wiped at start).
/// </summary>
sealed class SandboxAcme(SandboxAcmeSettings settings, SandboxDocker docker) : IDisposable
{
    private ServiceProcess? _pebble;
    private string Directory => Path.GetDirectoryName(settings.ListenerRootFile)!;

    public async Task StartAsync(int dnsPort, CancellationToken ct)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var gateway = HostGateway();
        var (root, listener) = ListenerCertificates(settings.DirectoryHost, gateway);
        await WriteAtomicallyAsync(settings.ListenerRootFile, root.ExportCertificatePem() + "\n", ct);
        await WriteAtomicallyAsync(Path.Combine(Directory, "listener.pem"), listener.ExportCertificatePem() + "\n", ct);
        await WriteAtomicallyAsync(Path.Combine(Directory, "listener-key.pem"), listener.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem() + "\n", ct);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Path.Combine(Directory, "listener-key.pem"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var config = Path.Combine(Directory, "pebble-config.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new
        {
            pebble = new
            {
                listenAddress = $"{gateway}:{settings.DirectoryPort}",
                managementListenAddress = $"127.0.0.1:{settings.ManagementPort}",
                certificate = Path.Combine(Directory, "listener.pem"),
                privateKey = Path.Combine(Directory, "listener-key.pem"),
                httpPort = settings.HttpPort,
                tlsPort = settings.TlsPort,
                ocspResponderURL = "",
                externalAccountBindingRequired = false,
            },
        }), ct);
        // no random sleeps before a validation, no random "bad nonce" refusals: the sandbox is about correctness,
        // not about Caddy's retries (pebble's README: PEBBLE_VA_NOSLEEP, PEBBLE_WFE_NONCEREJECT)
        if (!(Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, "pebble"))))
            throw new BuildFailure("The sandbox's ACME CA is Debian's pebble, which is not installed: run ./build.sh Setup (as root).");
        // its log (every order, challenge and validation) is where to look when Caddy gets no certificate
        var log = Path.Combine(Directory, "pebble.log");
        _pebble = ServiceProcess.Start("ACME CA (Pebble)", "sh", ["-c", "exec \"$@\" >>\"$LOG\" 2>&1", "sh", "pebble", "-config", config, "-dnsserver", $"127.0.0.1:{dnsPort}"], log,
            environment: new Dictionary<string, string?> { ["PEBBLE_VA_NOSLEEP"] = "1", ["PEBBLE_WFE_NONCEREJECT"] = "0", ["LOG"] = log });
        await _pebble.WaitUntilListeningAsync(settings.ManagementPort, TimeSpan.FromSeconds(10), ct);
        await WriteAtomicallyAsync(settings.IssuingRootFile, await IssuingRootAsync(root, ct), ct);
    }

    /// <summary>What host-gateway means to a container: the default bridge's gateway (dockerd's --host-gateway-ip default).</summary>
    private string HostGateway()
    {
        var gateway = docker.Run(["network", "inspect", "bridge", "--format", "{{range .IPAM.Config}}{{.Gateway}} {{end}}"], "find the Docker host's gateway address")
            .Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault(a => IPAddress.TryParse(a, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork);
        return gateway ?? throw new BuildFailure("The sandbox could not find the Docker host's gateway address (docker network inspect bridge): the ACME CA listens there for Caddy's container.");
    }

    /// <summary>A root and the listener's certificate it signs, for the names Caddy and this machine use.</summary>
    private static (X509Certificate2 Root, X509Certificate2 Listener) ListenerCertificates(string host, string gateway)
    {
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootRequest = new CertificateRequest("CN=AccoReboot sandbox ACME listener root", rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var root = rootRequest.CreateSelfSigned(now, now.AddDays(30));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={host}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(host);
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.Parse(gateway));
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var listener = request.Create(root, now, now.AddDays(30), RandomNumberGenerator.GetBytes(12)).CopyWithPrivateKey(key);
        return (root, listener);
    }

    /// <summary>Pebble's issuing root, from its management interface (made anew at each start).</summary>
    private async Task<string> IssuingRootAsync(X509Certificate2 listenerRoot, CancellationToken ct)
    {
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, chain, errors) =>
            {
                if (certificate == null || chain == null) return false;
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(listenerRoot);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(certificate) && (errors & System.Net.Security.SslPolicyErrors.RemoteCertificateNameMismatch) == 0;
            },
        };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
        var pem = await http.GetStringAsync($"https://127.0.0.1:{settings.ManagementPort}/roots/0", ct);
        return pem.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal) ? pem
            : throw new BuildFailure($"The sandbox's ACME CA gave no root certificate on /roots/0: {pem[..Math.Min(80, pem.Length)]}");
    }

    private static async Task WriteAtomicallyAsync(string path, string content, CancellationToken ct)
    {
        await File.WriteAllTextAsync(path + ".tmp", content, ct);
        File.Move(path + ".tmp", path, overwrite: true);
    }

    public void Dispose() => _pebble?.Dispose();
}
