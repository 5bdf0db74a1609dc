using System.Text.RegularExpressions;
using System.Text.Json;
using AccoReboot.Deploy;
using BuildEngine;
using Tests.Support;

namespace Tests.Deploy;

/// <summary>Every rendered file checked by the tool that reads it (contract tier).</summary>
[Trait("Category", "Contract")]
public class TemplateTests
{
    public static TheoryData<string> Variants => new() { "cloud", "sandbox" };

    private static ReleaseFiles Render(string variant) => StackFixture.Render(variant switch
    {
        "cloud" => StackFixture.Cloud(),
        "cloud-before-dns" => StackFixture.Cloud() with { DnsPointsHere = false },
        _ => StackFixture.Sandbox(),
    });

    [Fact]
    public void Caddy_serves_the_domain_over_HTTPS_only_once_its_DNS_points_at_the_instance()
    {
        static string Site(StackSettings settings) => StackFixture.Render(settings).Files.Single(f => f.Path == "Caddyfile").Content
            .Split('\n').First(line => line.EndsWith(" {", StringComparison.Ordinal) && !line.StartsWith('\t') && line != "{");
        Assert.Equal("test.accoreboot.example {", Site(StackFixture.Cloud())); // Caddy's automatic HTTPS, HTTP redirected
        Assert.Equal("http://test.accoreboot.example, :80 {", Site(StackFixture.Cloud() with { DnsPointsHere = false })); // no certificate asked for yet
        Assert.Equal(":80 {", Site(StackFixture.Sandbox()));
        Assert.Equal(new HealthEndpoint("https://test.accoreboot.example:443", "test.accoreboot.example:443:127.0.0.1"), HealthEndpoint.For(StackFixture.Cloud()));
        Assert.Equal(new HealthEndpoint("http://127.0.0.1:80", null), HealthEndpoint.For(StackFixture.Cloud() with { DnsPointsHere = false }));
    }

    [Theory, MemberData(nameof(Variants)), InlineData("cloud-before-dns")]
    public void The_caddyfile_passes_caddy_validate(string variant)
    {
        using var directory = StackFixture.Write(Render(variant));
        var result = Tool.Run("caddy", ["validate", "--adapter", "caddyfile", "--config", directory.Combine("Caddyfile")], environment: new Dictionary<string, string?> { ["HOME"] = directory.Path, ["XDG_DATA_HOME"] = directory.Combine("data"), ["XDG_CONFIG_HOME"] = directory.Combine("config") });
        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("Valid configuration", result.All);
    }

    [Theory, MemberData(nameof(Variants))]
    public void The_compose_file_passes_docker_compose_config(string variant)
    {
        using var directory = StackFixture.Write(Render(variant));
        var result = Tool.Run("docker", ["compose", "--project-directory", directory.Path, "-f", directory.Combine("docker-compose.yml"), "config", "--format", "json"]);
        Assert.True(result.ExitCode == 0, result.All);
        using var config = JsonDocument.Parse(result.Out);
        var services = config.RootElement.GetProperty("services");
        // with a domain served over HTTPS, the certs service hands Caddy's certificate to EMQX
        Assert.Equal(variant == "cloud" ? ["api", "caddy", "certs", "emqx", "powersync"] : ["api", "caddy", "emqx", "powersync"], services.EnumerateObject().Select(s => s.Name).Order());
        foreach (var service in services.EnumerateObject())
        {
            Assert.Equal("unless-stopped", service.Value.GetProperty("restart").GetString());
            Assert.True(service.Value.TryGetProperty("healthcheck", out _), $"{service.Name} has no healthcheck");
            // as compose reads it: every container's logs rotated (3 × 10 MB)
            var logging = service.Value.GetProperty("logging");
            Assert.Equal(("json-file", "10m", "3"), (logging.GetProperty("driver").GetString(), logging.GetProperty("options").GetProperty("max-size").GetString(),
                logging.GetProperty("options").GetProperty("max-file").GetString()));
            var image = service.Value.GetProperty("image").GetString()!;
            Assert.DoesNotContain(":latest", image);
            Assert.Contains(':', image.Split('/')[^1]);
            Assert.Equal(variant == "cloud" ? "missing" : "never", service.Value.GetProperty("pull_policy").GetString());
            if (service.Name is not ("api" or "certs"))
                Assert.Equal("service_healthy", service.Value.GetProperty("depends_on").GetProperty("api").GetProperty("condition").GetString());
        }
        Assert.Equal("admin-token-f00d-0001", services.GetProperty("api").GetProperty("environment").GetProperty("ADMIN_TOKEN").GetString());
    }

    [Fact]
    public void With_HTTPS_EMQX_serves_MQTT_over_TLS_with_the_certificate_the_certs_service_copies_from_Caddy()
    {
        var release = Render("cloud");
        using var directory = StackFixture.Write(release);
        var result = Tool.Run("docker", ["compose", "--project-directory", directory.Path, "-f", directory.Combine("docker-compose.yml"), "config", "--format", "json"]);
        Assert.True(result.ExitCode == 0, result.All);
        using var config = JsonDocument.Parse(result.Out);
        var services = config.RootElement.GetProperty("services");
        var emqx = services.GetProperty("emqx");
        // EMQX starts once the certificate is in place (it refuses a missing certfile), and publishes 8883
        Assert.Equal("service_healthy", emqx.GetProperty("depends_on").GetProperty("certs").GetProperty("condition").GetString());
        Assert.Contains(emqx.GetProperty("ports").EnumerateArray(), p => p.GetProperty("target").GetInt32() == 8883 && p.GetProperty("published").GetString() == "8883");
        var tlsVolume = emqx.GetProperty("volumes").EnumerateArray().Single(v => v.GetProperty("target").GetString() == "/opt/emqx/etc/certs/domain");
        Assert.True(tlsVolume.GetProperty("read_only").GetBoolean());
        // the certs service reads Caddy's storage read-only and writes the volume EMQX reads
        var certs = services.GetProperty("certs");
        Assert.Contains(certs.GetProperty("volumes").EnumerateArray(), v => v.GetProperty("source").GetString() == "caddy-data" && v.GetProperty("read_only").GetBoolean());
        Assert.Contains(certs.GetProperty("volumes").EnumerateArray(), v => v.GetProperty("source").GetString() == tlsVolume.GetProperty("source").GetString());
        Assert.Equal("test.accoreboot.example", certs.GetProperty("environment").GetProperty("DOMAIN").GetString());
        // escaped for compose ($$, which config prints as it is and the container gets as $): the script sees its own
        // variables, where a bare $DOMAIN would have been compose's (empty)
        var script = certs.GetProperty("command").EnumerateArray().Last().GetString()!;
        Assert.True(script.Contains("find /data/caddy/certificates -path \"*/$$DOMAIN/$$DOMAIN.crt\"", StringComparison.Ordinal), script);
        Assert.Contains("chown 1000:1000", script);
        var emqxConf = release["emqx.conf"].Content;
        Assert.Contains("certfile = \"/opt/emqx/etc/certs/domain/cert.pem\"", emqxConf);
        Assert.Contains("keyfile = \"/opt/emqx/etc/certs/domain/key.pem\"", emqxConf);
        // before DNS points at the instance: no TLS listener, no certs service
        var before = Render("cloud-before-dns");
        Assert.DoesNotContain("listeners.ssl", before["emqx.conf"].Content);
        Assert.DoesNotContain("certs:", before["docker-compose.yml"].Content);
    }

    [Fact]
    public void A_private_ACME_CA_s_roots_go_with_the_release_for_Caddy_and_the_health_check()
    {
        const string listenerRoot = "-----BEGIN CERTIFICATE-----\nlistener\n-----END CERTIFICATE-----\n";
        const string issuingRoot = "-----BEGIN CERTIFICATE-----\nissuing\n-----END CERTIFICATE-----\n";
        var settings = StackFixture.Cloud() with
        {
            Acme = new AcmeSettings("", "https://acme.sandbox.internal:14000/dir", "/x/listener.pem", listenerRoot, issuingRoot),
            CaddyExtraHosts = ["acme.sandbox.internal:host-gateway"],
            SiteCaRoot = "/x/issuing.pem",
        };
        var release = StackFixture.Render(settings);
        Assert.Equal(listenerRoot, release[ReleaseRenderer.AcmeCaRootFile].Content);
        Assert.Equal(issuingRoot, release[ReleaseRenderer.SiteCaRootFile].Content);
        Assert.Contains("\tacme_ca https://acme.sandbox.internal:14000/dir\n", release["Caddyfile"].Content);
        Assert.Contains("\tacme_ca_root /etc/caddy/acme-ca-root.pem\n", release["Caddyfile"].Content);
        var compose = release["docker-compose.yml"].Content;
        Assert.Contains("- ./acme-ca-root.pem:/etc/caddy/acme-ca-root.pem:ro", compose);
        Assert.Contains("- \"acme.sandbox.internal:host-gateway\"", compose);
        // a changed root recreates Caddy (its hash label), as a changed Caddyfile does
        var other = StackFixture.Render(settings with { Acme = settings.Acme with { CaRootPem = listenerRoot.Replace("listener", "other") } });
        Assert.NotEqual(Label(compose, "caddy"), Label(other["docker-compose.yml"].Content, "caddy"));
        Assert.Equal(Label(compose, "emqx"), Label(other["docker-compose.yml"].Content, "emqx"));
        // Deploy's health check on the instance trusts the issuing root the release carries
        var endpoint = HealthEndpoint.For(settings);
        Assert.Equal($"{settings.AppDirectory}/current/site-ca-root.pem", endpoint.CaFile);
        Assert.Contains("--cacert /opt/accoreboot/current/site-ca-root.pem", new AccoReboot.Deploy.Remote.RemoteLayout("/opt/accoreboot", "accoreboot", "/m").Health(endpoint.Url, endpoint.Resolve, endpoint.CaFile));
        Assert.Null(HealthEndpoint.For(StackFixture.Cloud()).CaFile);
    }

    private static string Label(string compose, string service) =>
        Regex.Match(compose, $@"\n  {service}:\n(?:.*\n)*?\s+accoreboot\.config-hash: ""(\w+)""").Groups[1].Value;

    [Fact]
    public void Only_the_public_ports_are_published_and_the_dashboard_only_where_the_profile_says()
    {
        using var cloud = StackFixture.Write(Render("cloud"));
        var compose = File.ReadAllText(cloud.Combine("docker-compose.yml"));
        Assert.Contains("\"0.0.0.0:80:80\"", compose);
        Assert.Contains("\"0.0.0.0:443:443\"", compose);
        Assert.Contains("\"0.0.0.0:1883:1883\"", compose);
        Assert.Contains("\"127.0.0.1:18083:18083\"", compose);
        var sandbox = Render("sandbox")["docker-compose.yml"].Content;
        Assert.DoesNotContain("18083", sandbox);
        Assert.DoesNotContain(":443", sandbox);
        Assert.Contains("\"127.0.0.1:18090:80\"", sandbox);
    }

    [Fact]
    public void The_cloud_init_user_data_passes_cloud_init_schema()
    {
        using var directory = new TempDirectory();
        var userData = new TemplateRenderer(Repository.Path("templates")).Render("cloud-init.yaml", CloudInitModel.For("test", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq1ZbXJg5TCR0uuE+YD0SbhprL6frwhcmE2pTbT6Q4H deploy"));
        var file = directory.File("user-data", userData);
        var result = Tool.Run("cloud-init", ["schema", "--config-file", file]);
        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("Valid cloud-config", result.All);
        Assert.Contains(CloudInitModel.MarkerFile, userData);
        Assert.Contains("PasswordAuthentication no", userData);
        Assert.Contains("unattended-upgrades", userData);
        // Docker's own default for any container: rotated logs (the file is written before Docker is installed)
        var daemon = new YamlDotNet.Serialization.DeserializerBuilder().Build().Deserialize<Dictionary<string, object>>(userData.Replace("#cloud-config", ""));
        var files = ((List<object>)daemon["write_files"]).Cast<Dictionary<object, object>>();
        using var json = JsonDocument.Parse((string)files.Single(f => (string)f["path"] == "/etc/docker/daemon.json")["content"]);
        Assert.Equal("10m", json.RootElement.GetProperty("log-opts").GetProperty("max-size").GetString());
    }

    [Theory, MemberData(nameof(Variants))]
    public void The_powersync_config_passes_its_json_schema(string variant)
    {
        using var directory = StackFixture.Write(Render(variant));
        var result = Standins.Check("powersync", directory.Combine("powersync.yaml"));
        Assert.True(result.ExitCode == 0, result.All);
        using var config = JsonDocument.Parse(result.Out);
        var connection = config.RootElement.GetProperty("replication").GetProperty("connections")[0];
        Assert.Equal(variant == "cloud" ? "verify-full" : "disable", connection.GetProperty("sslmode").GetString());
        if (variant == "cloud") Assert.Equal(StackFixture.CaPem.TrimEnd(), connection.GetProperty("cacert").GetString()!.TrimEnd());
        Assert.Equal("env:PS_DATA_SOURCE_URI", connection.GetProperty("uri").GetString());
        Assert.Equal("http://api:3000/.well-known/jwks.json", config.RootElement.GetProperty("client_auth").GetProperty("jwks_uri").GetString());
    }

    [Fact]
    public void A_broken_powersync_config_is_caught_by_the_schema_check()
    {
        using var directory = new TempDirectory();
        var file = directory.File("powersync.yaml", "storage:\n  max_pool_size: 8\nclient_auth:\n  audience: 42\n");
        var result = Standins.Check("powersync", file);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("/client_auth/audience must be array", result.Error);
    }

    [Fact]
    public void A_key_the_pinned_powersync_version_does_not_know_is_refused()
    {
        using var directory = StackFixture.Write(Render("cloud"));
        var file = directory.Combine("powersync.yaml");
        File.WriteAllText(file, File.ReadAllText(file).Replace("sync_config:", "sync_configuration:"));
        var result = Standins.Check("powersync", file);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("sync_configuration: not a key of PowerSync", result.Error);
    }

    [Fact]
    public void The_pinned_powersync_image_is_the_version_its_config_is_checked_with()
    {
        var pinned = Regex.Match(File.ReadAllText(Repository.Path("build", "Build.Parameters.cs")), "\"journeyapps/powersync-service:([^\"]+)\"").Groups[1].Value;
        using var package = JsonDocument.Parse(File.ReadAllText(Repository.Path("build", "Sandbox", "standins", "package.json")));
        Assert.Equal(pinned, package.RootElement.GetProperty("dependencies").GetProperty("@powersync/service-schema").GetString());
        Assert.Contains($"@powersync/service-schema@{pinned}/", File.ReadAllText(Repository.Path("templates", "powersync.yaml")));
    }

    [Theory, MemberData(nameof(Variants))]
    public void The_emqx_config_parses_as_hocon_and_sends_every_client_to_the_api(string variant)
    {
        using var directory = StackFixture.Write(Render(variant));
        var result = Standins.Check("emqx", directory.Combine("emqx.conf"));
        Assert.True(result.ExitCode == 0, result.All);
        using var config = JsonDocument.Parse(result.Out);
        var authentication = config.RootElement.GetProperty("authentication")[0];
        Assert.Equal("http://api:3000/auth/mqtt", authentication.GetProperty("url").GetString());
        Assert.Equal("${username}", authentication.GetProperty("body").GetProperty("username").GetString());
        Assert.Equal("deny", config.RootElement.GetProperty("authorization").GetProperty("no_match").GetString());
        Assert.Equal("disconnect", config.RootElement.GetProperty("authorization").GetProperty("deny_action").GetString());
        Assert.True(config.RootElement.GetProperty("flapping_detect").GetProperty("enable").GetBoolean());
        Assert.Equal("/mqtt", config.RootElement.GetProperty("listeners").GetProperty("ws")[0].GetProperty("mqtt_path").GetString());
    }

    [Fact]
    public void Strict_mode_refuses_a_missing_variable_and_a_missing_member_naming_file_line_and_member()
    {
        using var templates = new TempDirectory();
        templates.File("member.conf", "email = {{ acme.email }}\nagain = {{ acme.emial }}\n");
        templates.File("variable.conf", "\n\ndomain = {{ domian }}\n");
        var renderer = new TemplateRenderer(templates.Path);
        var acme = new Dictionary<string, object?> { ["acme"] = new Dictionary<string, object?> { ["email"] = "ops@example.org", ["server"] = "https://acme" } };

        var member = Assert.Throws<BuildEngine.BuildFailure>(() => renderer.Render("member.conf", acme));
        Assert.StartsWith($"{Path.Combine("templates", "member.conf")}:2:", member.Message);
        Assert.Contains("'emial' is not a member of this object (it has: email, server)", member.Message);

        var variable = Assert.Throws<BuildEngine.BuildFailure>(() => renderer.Render("variable.conf", acme));
        Assert.StartsWith($"{Path.Combine("templates", "variable.conf")}:3:", variable.Message);
        Assert.Contains("domian", variable.Message);

        templates.File("member.conf", "email = {{ acme.email }}\n");
        Assert.Equal("email = ops@example.org\n", renderer.Render("member.conf", acme));
    }

    [Fact]
    public void The_makefile_runs_compose_with_the_project()
    {
        using var directory = StackFixture.Write(Render("cloud"));
        var result = Tool.Run("make", ["-n", "-f", directory.Combine("Makefile"), "up"]);
        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("docker compose -p accoreboot --project-directory /opt/accoreboot/current", result.Out);
    }

    [Theory, MemberData(nameof(Variants))]
    public void Secrets_are_only_in_the_env_file_which_is_private(string variant)
    {
        var release = Render(variant);
        Assert.True(release[".env"].IsPrivate);
        foreach (var file in release.Files.Where(f => f.Path != ".env"))
        foreach (var secret in StackFixture.SecretValues)
            Assert.DoesNotContain(secret, file.Content);
        Assert.Contains("'postgresql://accoreboot:db-pass%2B%2F%3Df00d-0005@", release[".env"].Content);
    }

    [Fact]
    public void A_changed_emqx_conf_changes_the_hash_of_emqx_only()
    {
        using var templates = new TempDirectory();
        foreach (var file in Directory.GetFiles(Repository.Path("templates"))) templates.File(Path.GetFileName(file), File.ReadAllText(file));
        var before = StackFixture.Render(StackFixture.Cloud(), templates.Path);
        File.AppendAllText(templates.Combine("emqx.conf"), "\nmqtt.max_packet_size = 2MB\n");
        var after = StackFixture.Render(StackFixture.Cloud(), templates.Path);
        var changed = ReleaseRenderer.MountsByService.Keys.Where(service => Label(before, service) != Label(after, service)).ToList();
        Assert.Equal(["emqx"], changed);
        Assert.NotEqual(before.ContentHash, after.ContentHash);
    }

    [Fact]
    public void An_undefined_variable_is_an_error_naming_file_line_and_variable()
    {
        using var templates = new TempDirectory();
        templates.File("Caddyfile", "{\n}\n:80 {\n\trespond \"{{ nowhere }}\"\n}\n");
        var failure = Assert.Throws<BuildFailure>(() => new TemplateRenderer(templates.Path).Render("Caddyfile", new Dictionary<string, object?>()));
        Assert.StartsWith("templates/Caddyfile:4:", failure.Message);
        Assert.Contains("nowhere", failure.Message);
    }

    private static string Label(ReleaseFiles release, string service)
    {
        var lines = release["docker-compose.yml"].Content.Split('\n');
        var start = Array.FindIndex(lines, l => l == $"  {service}:");
        return lines.Skip(start).First(l => l.Contains("accoreboot.config-hash"));
    }
}
