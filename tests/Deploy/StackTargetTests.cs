using AccoReboot.Deploy;
using AccoReboot.Deploy.Remote;
using AccoReboot.State;
using BuildEngine;
using Tests.Support;

namespace Tests.Deploy;

/// <summary>The pure parts of the stack targets: what the state must hold, the ssh client's arguments, Render, the lines printed.</summary>
[Trait("Category", "Unit")]
public class StackTargetTests
{
    private static readonly HostKey Key = new("ssh-ed25519", "AAAAC3NzaC1lZDI1NTE5AAAAIGq1ZbXJg5TCR0uuE+YD0SbhprL6frwhcmE2pTbT6Q4H");

    private static StateDocument Provisioned => new()
    {
        Environment = "test",
        Resources = new Dictionary<string, System.Text.Json.JsonElement> { ["instance.test-backend"] = System.Text.Json.JsonSerializer.SerializeToElement(new { id = "srv-1" }) },
        Outputs = new EnvironmentOutputs
        {
            InstanceId = "srv-1", Ipv4 = "203.0.113.10",
            DatabaseHost = "postgresql-x.database.cloud.ovh.net", DatabasePort = 20184, DatabaseCa = "-----BEGIN CERTIFICATE-----",
            DatabaseUser = "accoreboot", SealedDatabasePassword = "-----BEGIN AGE ENCRYPTED FILE-----",
        },
    };

    [Fact]
    public void A_provisioned_state_gives_the_instance_the_database_and_the_pin()
    {
        var site = DeployedEnvironment.From(Provisioned with { HostKey = DeployedEnvironment.Pin(Key, "srv-1", DateTimeOffset.UnixEpoch) }, "test");
        Assert.Equal(("srv-1", "203.0.113.10", "postgresql-x.database.cloud.ovh.net", 20184), (site.InstanceId, site.Ipv4, site.DatabaseHost, site.DatabasePort));
        Assert.Equal(Key, site.PinnedKey);
        Assert.Null(DeployedEnvironment.From(Provisioned, "test").PinnedKey);
        Assert.Equal(Key.Fingerprint, DeployedEnvironment.Pin(Key, "srv-1", DateTimeOffset.UnixEpoch).Fingerprint);
    }

    [Fact]
    public void A_host_key_and_a_release_belong_to_the_instance_they_were_learnt_on()
    {
        // Apply replaced the instance (srv-1 → srv-2) and wrote nothing of the deploy's: the old pin must not hold
        var learnt = Provisioned with
        {
            HostKey = DeployedEnvironment.Pin(Key, "srv-1", DateTimeOffset.UnixEpoch),
            Release = new ReleaseState("r1", "registry/api:1", DateTimeOffset.UnixEpoch, "ci", "srv-1"),
        };
        var replaced = learnt with { Outputs = learnt.Outputs with { InstanceId = "srv-2", Ipv4 = "203.0.113.11" } };
        Assert.Null(DeployedEnvironment.From(replaced, "test").PinnedKey);
        Assert.Null(replaced.ReleaseOn("srv-2"));
        Assert.Equal("r1", learnt.ReleaseOn("srv-1")!.Id);
    }

    public static TheoryData<string, string> Incomplete => new()
    {
        { "none", "test has no state: nothing was provisioned. Run Up --env test" },
        { "no instance", "has no instance with an IPv4: run Apply --env test first" },
        { "no address", "has no instance with an IPv4: run Apply --env test first" },
        { "cluster creating", "has no PostgreSQL endpoint yet" },
        { "no password", "holds no password of the database user" },
    };

    [Theory, MemberData(nameof(Incomplete))]
    public void A_state_missing_a_piece_says_which_and_what_to_run(string missing, string message)
    {
        var state = missing switch
        {
            "none" => null,
            "no instance" => Provisioned with { Outputs = Provisioned.Outputs with { InstanceId = null, Ipv4 = null } },
            "no address" => Provisioned with { Outputs = Provisioned.Outputs with { Ipv4 = null } },
            "cluster creating" => Provisioned with { Outputs = Provisioned.Outputs with { DatabaseHost = null, DatabasePort = null } },
            _ => Provisioned with { Outputs = Provisioned.Outputs with { SealedDatabasePassword = null } },
        };
        var failure = Assert.Throws<BuildFailure>(() => DeployedEnvironment.From(state, "test"));
        Assert.Contains(message, failure.Message);
    }

    [Fact]
    public void The_ssh_client_trusts_only_the_pinned_key_and_uses_only_the_deploy_key()
    {
        var arguments = SshCommand.Arguments("/tmp/x/deploy_key", "/tmp/x/known_hosts", Key, new SshTarget("203.0.113.10", 2222, "deploy", "PRIVATE-KEY-TEXT"), ["docker", "ps"]);
        var text = string.Join(" ", arguments);
        Assert.Contains("-i /tmp/x/deploy_key", text);
        Assert.Contains("-o StrictHostKeyChecking=yes", text);
        Assert.Contains("-o UserKnownHostsFile=/tmp/x/known_hosts", text);
        Assert.Contains("-o GlobalKnownHostsFile=/dev/null", text);
        Assert.Contains("-o IdentitiesOnly=yes", text);
        Assert.Contains("-o HostKeyAlgorithms=ssh-ed25519", text);
        Assert.EndsWith("-p 2222 -l deploy 203.0.113.10 docker ps", text);
        Assert.DoesNotContain("PRIVATE-KEY-TEXT", text);
        Assert.Equal("[203.0.113.10]:2222 ssh-ed25519 " + Key.PublicKeyBase64, Key.KnownHostsLine("203.0.113.10", 2222));
    }

    [Fact]
    public async Task Render_writes_the_release_with_secrets_as_stars_and_placeholders_for_what_the_state_knows()
    {
        using var output = new TempDirectory("render");
        var written = new StringWriter();
        await new ReleasePreview(Inputs(StackFixture.Cloud()), new BuildLog(written, written, new SecretMasker(), ansi: false)).WriteAsync(output.Path);

        string[] expected = [".env", "Caddyfile", "Makefile", "db-ca.pem", "docker-compose.yml", "emqx.conf", "powersync.yaml", "sync-config.yaml"];
        Assert.Equal(expected.Order(StringComparer.Ordinal), Directory.GetFiles(output.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var env = File.ReadAllText(output.Combine(".env"));
        Assert.Contains("ADMIN_TOKEN='****'", env);
        Assert.Contains("DATABASE_URL='postgresql://accoreboot:****@<database host from the state>:5432/accoreboot'", env);
        Assert.Contains("PS_STORAGE_URI='postgresql://accoreboot:****@<database host from the state>:5432/powersync_storage'", env);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(output.Combine(".env")));
        Assert.Contains("image: registry.accoreboot.example/accoreboot-api:0123abcd4567", File.ReadAllText(output.Combine("docker-compose.yml")));
        Assert.Contains("(the CA of the managed PostgreSQL, from the OVH API at deploy)", File.ReadAllText(output.Combine("powersync.yaml")));
        Assert.Contains("Rendered 8 files of test", written.ToString());
    }

    [Fact]
    public async Task Render_without_an_output_directory_says_so()
    {
        var failure = await Assert.ThrowsAsync<BuildFailure>(() => new ReleasePreview(Inputs(StackFixture.Cloud()), DeployHost.Log(new StringWriter())).WriteAsync(null));
        Assert.Equal("Render needs --output <directory> to write the release to.", failure.Message);
    }

    [Theory]
    [InlineData("/dev/sda1        20G  5.0G   15G  25% /", "5.0G of 20G used (25%), 15G free on /")]
    [InlineData("", "unknown ()")]
    public void Disk_usage_reads_the_df_line(string line, string described) => Assert.Equal(described, DiskUsage.Describe(line));

    [Fact]
    public void Log_lines_lose_the_terminal_control_sequences_compose_writes()
    {
        Assert.Equal("api-1  | started", LogLine.Clean("\u001b[2Kapi-1  | \u001b[32mstarted\u001b[0m"));
    }

    [Fact]
    public async Task Deploy_and_Rollback_on_a_protected_environment_ask_before_touching_anything()
    {
        // every cloud and credentials function of these inputs throws: the refusal comes first
        var inputs = Inputs(StackFixture.Cloud("prod")) with { Protected = true, Environment = "prod" };
        var log = DeployHost.Log(new StringWriter());
        var nobody = new Deployment(inputs, log, new Confirmation(log, new FakeEnvironment(), assumeYes: false), default);
        Assert.Contains("Deploy changes prod, which is protected needs confirmation, and nobody can answer here",
            (await Assert.ThrowsAsync<BuildFailure>(() => nobody.DeployAsync(forceUnlock: true))).Message);
        Assert.Contains("Rollback changes prod, which is protected needs confirmation",
            (await Assert.ThrowsAsync<BuildFailure>(() => nobody.RollbackAsync(null, forceUnlock: false))).Message);
        // --yes (CI, behind the GitHub environment's approval) goes on: to the cloud, which these inputs do not have
        var confirmed = new Deployment(inputs, log, new Confirmation(log, new FakeEnvironment(), assumeYes: true), default);
        Assert.Equal("Render needs no cloud", (await Assert.ThrowsAsync<InvalidOperationException>(() => confirmed.DeployAsync(forceUnlock: true))).Message);
    }

    private static DeploymentInputs Inputs(StackSettings stack) => new(
        "test", stack, new SshSettings(22, "deploy", null), new RemoteLayout("/opt/accoreboot", "accoreboot", CloudInitModel.MarkerFile), DeployOptions.Default,
        "accoreboot", "accoreboot", "powersync_storage", "registry.accoreboot.example",
        () => throw new InvalidOperationException("Render needs no cloud"),
        () => throw new InvalidOperationException("Render needs no state"),
        () => throw new InvalidOperationException("Render needs no credentials"),
        () => throw new InvalidOperationException("Render needs no credentials"),
        () => throw new InvalidOperationException("Render needs no deploy key"),
        () => Task.FromResult("registry.accoreboot.example/accoreboot-api:0123abcd4567"),
        _ => throw new InvalidOperationException("Render opens no secret"),
        _ => throw new InvalidOperationException("Render seals no secret"),
        new TemplateRenderer(Repository.Path("templates")), new SecretMasker(), "tester@tests", TimeProvider.System);
}
