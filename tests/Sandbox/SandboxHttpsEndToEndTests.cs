using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Tests.Support;

namespace Tests.Sandbox;

/// <summary>
/// The sandbox with a domain, as production has one: the DNS record Apply keeps in the emulated zone, Pebble (a real
/// ACME server) issuing Caddy's certificate after validating the domain through that zone, HTTPS and the redirect,
/// MQTT over TLS with the same certificate, and Smoke over TLS. First without the record (ManageDns false): Deploy
/// says the domain does not point at the instance and the HTTP site serves; then Apply points it and Deploy turns
/// HTTPS on.
/// </summary>
[Trait("Category", "Integration")]
[Collection(DockerEngineRestarts.Name)]
public class SandboxHttpsEndToEndTests
{
    private const string Domain = "sandbox.accoreboot.example";
    private const int HttpPort = 38090, HttpsPort = 38443, MqttTlsPort = 38884;
    private const string Directory = "/var/lib/accoreboot-sandbox-https";
    private const string Project = "accoreboot-sandbox-https";

    /// <summary>A sandbox of the test's own (ports, directories, compose project), with the domain.</summary>
    private static Dictionary<string, string?> Isolated(bool manageDns) => new()
    {
        ["NO_COLOR"] = "1",
        ["NUKE_DOMAIN"] = Domain,
        ["NUKE_MANAGE_DNS"] = manageDns ? "true" : "false",
        ["NUKE_SANDBOX_API_PORT"] = "38080",
        ["NUKE_SANDBOX_S3_PORT"] = "38081",
        ["NUKE_OVH_ENDPOINT"] = "http://127.0.0.1:38080/ovh/1.0",
        ["NUKE_IDENTITY_URL"] = "http://127.0.0.1:38080/identity/v3",
        ["NUKE_S3_ENDPOINT"] = "http://127.0.0.1:38081",
        ["NUKE_REGISTRY"] = "127.0.0.1:38082",
        ["NUKE_SSH_PORT"] = "2422",
        ["NUKE_HTTP_PORT"] = HttpPort.ToString(),
        ["NUKE_HTTPS_PORT"] = HttpsPort.ToString(),
        ["NUKE_MQTT_PORT"] = "38883",
        ["NUKE_MQTT_TLS_PORT"] = MqttTlsPort.ToString(),
        ["NUKE_DNS_SERVER"] = "127.0.0.1:38053",
        ["NUKE_ACME_CA"] = "https://acme.sandbox.internal:34000/dir",
        ["NUKE_ACME_CA_ROOT"] = $"{Directory}/acme/listener-root.pem",
        ["NUKE_SITE_CA_ROOT"] = $"{Directory}/acme/issuing-root.pem",
        ["NUKE_APP_DIRECTORY"] = "/opt/accoreboot-sandbox-https",
        ["NUKE_MARKER_FILE"] = $"{Directory}/boot-finished-docker",
        ["NUKE_SANDBOX_DIRECTORY"] = Directory,
        ["NUKE_STACK_PROJECT"] = Project,
        ["NUKE_STACK_NETWORK"] = Project,
    };

    private static Tool.Result Build(bool manageDns, params string[] arguments) =>
        Tool.Run(Repository.Path("build.sh"), arguments, environment: Isolated(manageDns), timeout: TimeSpan.FromMinutes(15));

    /// <summary>A request to the domain at 127.0.0.1 (curl --resolve), the certificate checked against Pebble's issuing root only.</summary>
    private static async Task<(HttpStatusCode Status, string? Location, string Body)> Get(string url)
    {
        var root = X509Certificate2.CreateFromPem(File.ReadAllText($"{Directory}/acme/issuing-root.pem"));
        using var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync("127.0.0.1", context.DnsEndPoint.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
            SslOptions =
            {
                CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, CustomTrustStore = { root }, RevocationMode = X509RevocationMode.NoCheck },
            },
        };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
        using var response = await client.GetAsync(url);
        return (response.StatusCode, response.Headers.Location?.ToString(), await response.Content.ReadAsStringAsync());
    }

    /// <summary>The certificate a TLS server on 127.0.0.1 serves for the domain (not checked).</summary>
    private static async Task<X509Certificate2> ServedCertificate(int port)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(Domain);
        return new X509Certificate2(tls.RemoteCertificate!);
    }

    [Fact]
    public async Task With_a_domain_Pebble_issues_the_certificate_HTTPS_and_MQTT_over_TLS_serve_it_and_Smoke_passes_over_TLS()
    {
        var cloudLog = $"{Directory}/cloud.log";
        var cloudOutput = () => File.Exists(cloudLog) ? File.ReadAllText(cloudLog) : "(no cloud log)";
        var outputs = new List<string>();
        try
        {
            // no DNS record yet: Deploy says so and serves the HTTP site only (no certificate asked for)
            var before = Build(false, "Up", "--env", "sandbox", "--yes");
            outputs.Add(before.All);
            Assert.True(before.ExitCode == 0, before.All + "\n--- cloud ---\n" + cloudOutput());
            Assert.Contains($"DNS: {Domain} does not resolve, not at the instance 127.0.0.1 yet", before.All);
            Assert.Contains($"HTTP       http://{Domain}:{HttpPort}/", before.All);
            Assert.Equal((HttpStatusCode.OK, null, "{\"status\":\"ok\"}"), await Get($"http://{Domain}:{HttpPort}/health"));
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => Get($"https://{Domain}:{HttpsPort}/health"));

            // Apply writes the A record, Pebble resolves it through the emulated zone and validates; Deploy serves HTTPS
            var up = Build(true, "Up", "--env", "sandbox", "--yes");
            outputs.Add(up.All);
            Assert.True(up.ExitCode == 0, up.All + "\n--- cloud ---\n" + cloudOutput());
            Assert.Contains($"+ dns-record.{Domain}", up.All);
            Assert.DoesNotContain("DNS: ", up.All);
            Assert.Contains($"HTTPS      https://{Domain}:{HttpsPort}/", up.All);
            Assert.Contains($"MQTT/TLS   mqtts://{Domain}:{MqttTlsPort}", up.All);
            Assert.Equal((HttpStatusCode.OK, null, "{\"status\":\"ok\"}"), await Get($"https://{Domain}:{HttpsPort}/health"));
            var redirect = await Get($"http://{Domain}:{HttpPort}/health");
            Assert.True(redirect.Status == HttpStatusCode.PermanentRedirect && redirect.Location == $"https://{Domain}/health", $"{redirect.Status} {redirect.Location}");
            var site = await ServedCertificate(HttpsPort);
            Assert.StartsWith("CN=Pebble Intermediate CA", site.Issuer);
            Assert.Contains(Domain, site.GetNameInfo(X509NameType.DnsName, false));
            Assert.Contains("Starting 3 validations", File.ReadAllText($"{Directory}/acme/pebble.log")); // validated, not waved through
            // EMQX serves the same certificate on 8883 (the certs service copied it, EMQX running as uid 1000 reads it)
            Assert.Equal(site.Thumbprint, (await ServedCertificate(MqttTlsPort)).Thumbprint);

            var smoke = Build(true, "Smoke", "--env", "sandbox");
            outputs.Add(smoke.All);
            Assert.True(smoke.ExitCode == 0, smoke.All + "\n--- cloud ---\n" + cloudOutput());
            foreach (var step in new[] { "over HTTPS (the certificate checked)", "HTTP redirects to HTTPS", "the device connects over MQTT with TLS with its secret", "through Caddy (wss)" })
                Assert.Contains(step, smoke.All);

            var down = Build(true, "Down", "--env", "sandbox", "--yes", "--no-backup");
            outputs.Add(down.All);
            Assert.True(down.ExitCode == 0, down.All + "\n--- cloud ---\n" + cloudOutput());
            Assert.Contains($"- dns-record.{Domain}", down.All);
        }
        finally
        {
            Build(true, "SandboxDown", "--env", "sandbox");
        }
        outputs.Add(cloudOutput());
        foreach (var port in new[] { 38080, 38053, 35000, HttpPort, HttpsPort, MqttTlsPort })
            Assert.False(SandboxEndToEndTests.Listening(port), $"something still listens on 127.0.0.1:{port} after Down");
        var secrets = await SandboxEndToEndTests.SandboxSecretsAsync();
        foreach (var output in outputs)
            foreach (var secret in secrets)
                Assert.DoesNotContain(secret, output);
    }
}
