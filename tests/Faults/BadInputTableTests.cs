using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using AccoReboot.Deploy.Remote;
using AccoReboot.Sandbox.Emulator;
using AccoReboot.Secrets;
using Tests.Support;

namespace Tests.Faults;

/// <summary>One cloud emulator for the whole table: the rows only read from it (Plan) or never reach it.</summary>
public sealed class TableCloud : IAsyncLifetime
{
    internal Emulator Emulator { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Emulator = await Emulator.StartAsync(ProvisioningRepository.FastOptions);
        Emulator.Cloud.World.S3.CreateBucket("accoreboot-state-test", versioning: true);
    }

    public async Task DisposeAsync() => await Emulator.DisposeAsync();
}

/// <summary>
/// The table of bad input and faults (README, "Bad input and faults"): each row runs one command the way a user
/// would, and must end with exit code 1 and one line naming the problem, in bounded time, with no file of the
/// repository changed and no secret in the output or the log.
/// </summary>
[Trait("Category", "Integration")]
public sealed class BadInputTableTests(TableCloud cloud) : IClassFixture<TableCloud>
{
    /// <summary>A row: what to break, the command, what the one line must say, and how long it may take.</summary>
    public sealed record Row(string Name, string Command, Func<Context, string> Expected, double Seconds = 10, bool Interactive = false)
    {
        public Action<Context> Arrange { get; init; } = _ => { };
        public string? Also { get; init; }
        public override string ToString() => Name;
    }

    /// <summary>The scratch repository of a row and the misbehaving server it may point at.</summary>
    public sealed class Context(TempDirectory root) : IDisposable
    {
        public TempDirectory Root => root;
        public MisbehavingServer? Server { get; private set; }

        public string Serve(Misbehaviour how) => (Server = MisbehavingServer.Start(how)).Url;

        public void SetProfile(string key, JsonNode value)
        {
            var path = root.Combine(".nuke", "parameters.test.json");
            var profile = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            profile[key] = value;
            File.WriteAllText(path, profile.ToJsonString());
        }

        public void Dispose() => Server?.Dispose();
    }

    // an attempt of a cloud call may take 1 s here (CallTimeout), the call with its retries 2 s
    private static readonly string FastCalls = ", \"CallTimeout\": 1";

    private static readonly (string Name, string Key)[] Endpoints =
        [("OVH API", "OvhEndpoint"), ("OpenStack", "IdentityUrl"), ("S3", "S3Endpoint")];

    private static readonly (Misbehaviour How, string Says)[] Misbehaviours =
    [
        (Misbehaviour.AcceptAndHang, "within"),
        (Misbehaviour.Reset, "127.0.0.1"),
        (Misbehaviour.Garbage, "127.0.0.1"),
        (Misbehaviour.SlowDrip, "within"),
        (Misbehaviour.Html, "127.0.0.1"),
        (Misbehaviour.Empty, "127.0.0.1"),
        (Misbehaviour.UntrustedTls, "127.0.0.1"),
        (Misbehaviour.Refused, "127.0.0.1"),
    ];

    public static IEnumerable<Row> Network()
    {
        foreach (var (service, key) in Endpoints)
        {
            foreach (var (how, says) in Misbehaviours)
                // every line names the endpoint; a server that never finishes answering is cut off at a deadline
                yield return new Row($"{service}: {how}", "Plan --env test", c => $"127.0.0.1:{c.Server!.Port}")
                {
                    Arrange = c => c.SetProfile(key, c.Serve(how)),
                    Also = says == "127.0.0.1" ? null : "within",
                };
            yield return new Row($"{service}: DNS failure", "Plan --env test", _ => "cloud.invalid")
            {
                Arrange = c => c.SetProfile(key, "https://cloud.invalid/"),
            };
        }
    }

    public static IEnumerable<Row> Config() =>
    [
        new("sops: unclosed [", "SopsEdit --file common", _ => ".sops.yaml:", Interactive: true)
            { Arrange = c => c.Root.File(".sops.yaml", "creation_rules:\n  - path_regex: [credentials\n") },
        new("sops: invalid path_regex", "SopsEdit --file common", _ => "is not a valid regular expression", Interactive: true)
            { Arrange = c => c.Root.File(".sops.yaml", "creation_rules:\n  - path_regex: credentials/(common\n    age: x\n") },
        new("sops: unknown key in a rule", "SopsEdit --file common", _ => ".sops.yaml:3: unknown key 'recipients'", Interactive: true)
            { Arrange = c => c.Root.File(".sops.yaml", "creation_rules:\n  - path_regex: credentials/.*\n    recipients: x\n") },
        new("sops: unknown top-level key", "SopsEdit --file common", _ => ".sops.yaml:1: unknown key 'creation_rule'", Interactive: true)
            { Arrange = c => c.Root.File(".sops.yaml", "creation_rule:\n  - age: x\ncreation_rules:\n  - age: x\n") },
        new("sops: pgp", "SopsEdit --file common", _ => "'pgp' is not supported", Interactive: true)
            { Arrange = c => c.Root.File(".sops.yaml", "creation_rules:\n  - path_regex: credentials/.*\n    pgp: ABCDEF\n") },
        new("SopsEdit --file outside credentials/", "SopsEdit --file ../outside.enc.env", _ => "credentials files live under credentials/", Interactive: true),
        new("SopsEdit --file credentials/../x", "SopsEdit --file credentials/../x.enc.env", _ => "credentials files live under credentials/", Interactive: true),
        new("SopsEdit --file too long", $"SopsEdit --file credentials/{new string('a', 5000)}.enc.env", _ => "--file credentials/aaaa", Interactive: true),
        new("SopsEdit without a terminal", "SopsEdit --file common", _ => "needs a terminal on stdin and stdout"),
        new("SopsEdit neither --file nor --env", "SopsEdit", _ => "SopsEdit needs --file common", Interactive: true),
        new("profile: malformed JSON", "Plan --env test", _ => "parameters.test.json")
            { Arrange = c => c.Root.File(".nuke/parameters.test.json", "{ \"Region\": \"GRA9\",\n  oops }") },
        new("profile: unknown key", "Plan --env test", _ => "unknown parameter 'Flavour'")
            { Arrange = c => c.SetProfile("Flavour", "b3-8") },
        new("profile: wrong type", "Plan --env test", _ => "--poll-interval (.nuke/parameters.test.json): expected a number")
            { Arrange = c => c.SetProfile("PollInterval", "fast") },
        new("no such environment", "Plan --env staging", _ => "there is no .nuke/parameters.staging.json"),
        new("unknown parameter", "Plan --env test --flavour b3-8", _ => "Unknown parameter --flavour"),
        new("unknown target", "Plann --env test", _ => "Plann"),
        new("credentials: not a variable name", "Plan --env test", _ => "credentials/test.enc.env:")
            { Arrange = c => CredentialsRepository.Write(c.Root, "credentials/test.enc.env", new() { ["OS-PASSWORD"] = "x" }, [ProvisioningRepository.Identity.Recipient]) },
        new("credentials: missing key", "Plan --env test", _ => "OS_PASSWORD is missing or empty")
            { Arrange = c => CredentialsRepository.Write(c.Root, "credentials/test.enc.env", new() { ["OVH_PROJECT_ID"] = "x" }, [ProvisioningRepository.Identity.Recipient]) },
        new("credentials: not a recipient", "Plan --env test", _ => "none of your age identities", Seconds: 10)
            { Arrange = c => CredentialsRepository.Write(c.Root, "credentials/test.enc.env", new() { ["OS_PASSWORD"] = "x" }, [AccoReboot.Secrets.Age.AgeIdentity.Generate().Recipient]) },
        new("Down where nobody can answer", "Down --env test", _ => "Down needs confirmation, and nobody can answer here"),
        new("Render --output under a file", "Render --env test --output /etc/hostname/release", _ => "--output /etc/hostname/release: /etc/hostname is a file"),
        new("Render --output too long", $"Render --env test --output {new string('r', 5000)}", _ => "--output rrrr"),
        new("Render without --output", "Render --env test", _ => "Render needs --output"),
        new("Exec without a command", "Exec --env test", _ => "Exec"),
    ];

    public static TheoryData<Row> Rows() => new(Network().Concat(Config()));

    [Fact]
    public void The_table_has_at_least_40_rows() => Assert.True(Network().Count() + Config().Count() >= 40);

    [Theory, MemberData(nameof(Rows))]
    public void Ends_in_one_line_in_bounded_time_changing_nothing_and_showing_no_secret(Row row)
    {
        using var root = new TempDirectory();
        ProvisioningRepository.For(cloud.Emulator.Cloud, FastCalls, createBucket: false)(root);
        root.File("templates/cloud-init.yaml", File.ReadAllText(Repository.Path("templates", "cloud-init.yaml")));
        using var context = new Context(root);
        row.Arrange(context);
        var before = Snapshot(root);

        var watch = Stopwatch.StartNew();
        var run = EngineRun.In<Build>(root, EngineRun.Split(row.Command), ProvisioningRepository.Environment, interactive: row.Interactive);
        watch.Stop();

        Assert.True(run.ExitCode == 1, $"{row.Name}: exit code {run.ExitCode}\n{run.All}");
        Assert.True(run.Error.Contains(row.Expected(context), StringComparison.Ordinal), $"{row.Name}: expected '{row.Expected(context)}' in\n{run.Error}");
        if (row.Also != null) Assert.True(run.Error.Contains(row.Also, StringComparison.Ordinal), $"{row.Name}: expected '{row.Also}' in\n{run.Error}");
        Assert.True(watch.Elapsed.TotalSeconds < row.Seconds, $"{row.Name}: {watch.Elapsed.TotalSeconds:0.0} s (bound {row.Seconds} s)\n{run.Error}");
        Assert.False(run.All.Split('\n').Any(l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal) && l.Contains('(')), $"{row.Name}: a stack trace\n{run.All}");
        Assert.DoesNotContain("(a bug)", run.All);
        Assert.DoesNotContain("has thrown an exception", run.All);
        foreach (var secret in Secrets(cloud.Emulator.Cloud))
        {
            Assert.DoesNotContain(secret, run.All);
            if (File.Exists(root.Combine(".nuke", "temp", "build.log"))) Assert.DoesNotContain(secret, run.LogFile);
        }
        var after = Snapshot(root);
        var changed = before.Keys.Union(after.Keys).Where(k => before.GetValueOrDefault(k) != after.GetValueOrDefault(k)).ToList();
        Assert.True(changed.Count == 0, $"{row.Name}: changed {string.Join(", ", changed)}");
    }

    [Fact]
    public async Task An_ssh_host_that_accepts_tcp_and_never_speaks_ssh_is_one_line_within_the_deadline()
    {
        using var server = MisbehavingServer.Start(Misbehaviour.AcceptAndHang);
        using var keys = new TempDirectory();
        var keyFile = keys.Combine("key");
        Process.Start("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", keyFile])!.WaitForExit();
        var watch = Stopwatch.StartNew();
        var failure = await Assert.ThrowsAsync<BuildEngine.BuildFailure>(() => SshSession.ConnectAsync(
            new SshTarget("127.0.0.1", server.Port, "deploy", File.ReadAllText(keyFile)), _ => null, CancellationToken.None, TimeSpan.FromSeconds(2)));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"{watch.Elapsed.TotalSeconds:0.0} s");
        Assert.Contains($"deploy@127.0.0.1:{server.Port} did not complete an SSH handshake within 2 s", failure.Message);
        Assert.Equal(1, server.Connections);
    }

    [Theory]
    [InlineData("directory", "does not exist (or is not a file)")]
    [InlineData("missing", "does not exist (or is not a file)")]
    [InlineData("too long", "does not exist (or is not a file)")]
    public async Task A_known_hosts_path_that_cannot_be_read_is_one_line_before_any_connection(string kind, string says)
    {
        using var scratch = new TempDirectory();
        using var server = MisbehavingServer.Start(Misbehaviour.AcceptAndHang);
        var path = kind switch
        {
            "directory" => scratch.Path,
            "missing" => scratch.Combine("known_hosts"),
            _ => scratch.Combine(new string('k', 300)),
        };
        var target = new AccoReboot.Deploy.DeployTarget(new SshTarget("127.0.0.1", server.Port, "deploy", "unused"), null, _ => Task.FromResult(""), path);
        var failure = await Assert.ThrowsAsync<BuildEngine.BuildFailure>(() => new AccoReboot.Deploy.TrustedConnection(DeployHost.Log(new StringWriter())).OpenAsync(target, CancellationToken.None));
        Assert.Contains($"--known-hosts {path} {says}", failure.Message);
        Assert.Equal(0, server.Connections);
    }

    private static IEnumerable<string> Secrets(CloudEmulator emulator) =>
    [
        emulator.World.Options.ApplicationSecret, emulator.World.Options.OpenStackPassword, emulator.World.Options.ConsumerKey,
        "registry-password-for-tests", "s3-secret-for-tests", "api-admin-token-for-tests", "powersync-token-for-tests", "mqtt-password-for-tests",
        "emqx-dashboard-password", "emqx-cookie-for-tests",
    ];

    private static Dictionary<string, string> Snapshot(TempDirectory root) =>
        Directory.GetFiles(root.Path, "*", SearchOption.AllDirectories)
            .Select(f => (File: f, Relative: Path.GetRelativePath(root.Path, f)))
            // the build's own log and the parameter schema it keeps up to date (as NUKE does) are not the user's files
            .Where(f => !f.Relative.StartsWith(Path.Combine(".nuke", "temp"), StringComparison.Ordinal) && f.Relative != Path.Combine(".nuke", "build.schema.json"))
            .Select(f => f.File)
            .ToDictionary(f => Path.GetRelativePath(root.Path, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));
}
