using AccoReboot.Deploy;
using AccoReboot.Deploy.Remote;
using AccoReboot.Sandbox.Host;
using BuildEngine;

namespace Tests.Support;

/// <summary>
/// A real host to deploy to, on this machine, made of the sandbox's pieces: its instance (OpenSSH on 127.0.0.1
/// with its own host key, key-only, for a deploy user in the docker group; the application directory and
/// cloud-init's marker) and its managed database (PostgreSQL 17 on a Docker network). Each host has its own free
/// port, directory and network; everything is removed afterwards.
/// </summary>
internal sealed class DeployHost : IAsyncDisposable
{
    public const string User = "accoreboot-deploy";
    private static readonly Lazy<string> ApiImage = new(BuildApiImage);
    // the stand-ins for EMQX, PowerSync and Caddy, built as the sandbox builds them when this machine lacks them
    private static readonly Lazy<Task> StandInImages = new(() =>
    {
        var log = new BuildLog(TextWriter.Null, TextWriter.Null, new SecretMasker(), ansi: false);
        return new AccoReboot.Sandbox.SandboxImages(Repository.Root, new ProcessRunner(log), log).EnsureAsync(CancellationToken.None);
    });

    private readonly TempDirectory _directory = new("deploy-host");
    private SandboxInstance? _instance;
    private SandboxDatabase? _database;

    public string Id { get; } = Guid.NewGuid().ToString("N")[..8];
    public int SshPort { get; } = FreePort.Next();
    public string PrivateKey { get; private set; } = "";
    public string HostPublicKey { get; private set; } = "";
    public StackSettings Settings { get; private set; } = null!;
    public string AppDirectory => _directory.Combine("app");
    public string Marker => _directory.Combine("boot-finished-docker");
    public string Project => $"acc-{Id}";
    public string DatabaseContainer => $"acc-{Id}-db";
    public DatabaseConnection Database { get; } = new("placeholder", 5432, "accoreboot", "db-password-for-deploy-tests", "accoreboot", "powersync_storage", null);
    public TempDirectory Directory => _directory;

    public static async Task<DeployHost> StartAsync(bool marker = true)
    {
        var host = new DeployHost();
        try
        {
            await host.InitializeAsync(marker);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    private async Task InitializeAsync(bool marker)
    {
        await StandInImages.Value;
        var dir = _directory;
        Run("chmod", "755", dir.Path);
        Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "deploy@tests", "-f", dir.Combine("deploy_key"));
        // the sandbox's instance, on a port and in a directory of its own: sshd for the deploy user, booted as a new server is
        var log = Log(new StringWriter());
        var processes = new ProcessRunner(log);
        _instance = new SandboxInstance(new AccoReboot.Sandbox.SandboxInstanceSettings(SshPort, User, AppDirectory, Marker, Project, dir.Combine("instance")), new SandboxDocker(processes), processes);
        await _instance.StartAsync(CancellationToken.None);
        _instance.Boot(File.ReadAllText(dir.Combine("deploy_key.pub")));
        if (!marker) File.Delete(Marker);

        // the managed database, as the sandbox runs it: PostgreSQL 17 on the stack's network, the user with the rights OVH gives it
        _database = new SandboxDatabase(new SandboxDocker(processes), Project, DatabaseContainer, "local/pg17-timescaledb:trixie");
        await _database.StartAsync(CancellationToken.None);
        _database.CreateUser(Database.User, Database.Password, ["replication"]);
        _database.CreateDatabase(Database.Database);
        _database.CreateDatabase(Database.StorageDatabase);

        PrivateKey = File.ReadAllText(dir.Combine("deploy_key"));
        HostPublicKey = _instance.HostKey.PublicKeyBase64;
        Settings = new StackSettings("deploytest", null, new AcmeSettings("", "", ""), "127.0.0.1", FreePort.Next(), FreePort.Next(), FreePort.Next(),
            false, 18083, new StackImages(ApiImage.Value, "local/emqx-standin:trixie", "local/powersync-standin:trixie", "local/caddy-sandbox:trixie"),
            "never", Project, ExternalNetwork: true, DatabaseTls: false, "powersync", Project, AppDirectory, "1s");
    }

    public DatabaseConnection DatabaseOnNetwork => Database with { Host = DatabaseContainer };

    public HostKey Key => new("ssh-ed25519", HostPublicKey);

    public DeployTarget Target(HostKey? pinned = null, string? console = null, string? privateKey = null, int? port = null) =>
        new(new SshTarget("127.0.0.1", port ?? SshPort, User, privateKey ?? PrivateKey), pinned ?? Key,
            _ => Task.FromResult(console ?? ""), null);

    public StackInputs Inputs(StackSettings? settings = null, DatabaseConnection? database = null) =>
        new(settings ?? Settings, database ?? DatabaseOnNetwork, StackFixture.Secrets, null, null, "unused.registry");

    public Deployer Deployer(BuildLog log, DeployOptions? options = null, Func<Stream, Stream>? uploadThrough = null) =>
        new(new ReleaseRenderer(new TemplateRenderer(Repository.Path("templates"))), new RemoteLayout(AppDirectory, Project, Marker),
            options ?? new DeployOptions(TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(180), TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(500), 5, false),
            log, "tester@tests", TimeProvider.System, async (target, ct) => await new TrustedConnection(log).OpenAsync(target, ct), uploadThrough);

    public TrustedConnection Connection(BuildLog log) => new(log);

    /// <summary>The containers of the stack: service → (id, state, health).</summary>
    public IReadOnlyDictionary<string, (string id, string state)> Containers()
    {
        var output = Tool.Run("docker", ["ps", "-a", "--filter", $"label=com.docker.compose.project={Project}", "--format", "{{.Label \"com.docker.compose.service\"}} {{.ID}} {{.State}}"]).Out;
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')).ToDictionary(p => p[0], p => (p[1], p[2]));
    }

    public string Current => Path.GetFileName(Tool.Run("readlink", [Path.Combine(AppDirectory, "current")]).Out.Trim());

    public async ValueTask DisposeAsync()
    {
        var containers = Tool.Run("docker", ["ps", "-aq", "--filter", $"label=com.docker.compose.project={Project}"]).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (containers.Length > 0) Tool.Run("docker", ["rm", "-f", "-v", .. containers]);
        Tool.Run("umount", [AppDirectory]); // the full-disk test mounts a tmpfs there
        _instance?.Wipe();
        _instance?.Dispose();
        _database?.Dispose();
        _directory.Dispose();
        await Task.CompletedTask;
    }

    private static string BuildApiImage()
    {
        var tag = "accoreboot-api:deploy-tests";
        using var scratch = new TempDirectory();
        var arguments = new List<string> { "build", "-q", "--build-arg", "BASE_IMAGE=local/node:trixie", "-t", tag };
        var certificates = System.IO.Directory.Exists("/usr/local/share/ca-certificates")
            ? System.IO.Directory.GetFiles("/usr/local/share/ca-certificates", "*.crt").Select(File.ReadAllText).ToList() : [];
        if (certificates.Count > 0) arguments.AddRange(["--build-arg", "EXTRA_CA_CERTS=" + string.Join("\n", certificates)]);
        arguments.Add(Repository.Path("api"));
        var result = Tool.Run("docker", arguments, timeout: TimeSpan.FromMinutes(10));
        if (result.ExitCode != 0) throw new InvalidOperationException("docker build of the API: " + result.All);
        return tag;
    }

    private static void Run(string program, params string[] arguments)
    {
        var result = Tool.Run(program, arguments);
        if (result.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(" ", arguments)}: {result.All}");
    }

    public static BuildLog Log(StringWriter output) => new(output, output, new SecretMasker(), ansi: false);
}
