using AccoReboot.Secrets;
using Tests.Support;

namespace Tests.Sandbox;

/// <summary>
/// The whole tool, as a user runs it: SandboxCloud in the background, then Up --env sandbox (image, registry,
/// state bucket, OVH resources, deploy over SSH), the stack answering through Caddy, the stack targets, and Down.
/// Every process is the build itself, run by build.sh; the sandbox's fixed ports come from .nuke/parameters.sandbox.json.
/// </summary>
[Trait("Category", "Integration")]
[Collection(DockerEngineRestarts.Name)]
public class SandboxEndToEndTests
{
    private const int HttpPort = 28090;
    private const string Project = "accoreboot-sandbox-e2e";
    private const string AppDirectory = "/opt/accoreboot-sandbox-e2e";

    /// <summary>
    /// A sandbox of the test's own, beside the user's (never its ports, directories, registry or compose project):
    /// the sandbox profile with NUKE_* variables over it.
    /// </summary>
    private static readonly Dictionary<string, string?> Isolated = new()
    {
        ["NO_COLOR"] = "1",
        ["NUKE_SANDBOX_API_PORT"] = "28080",
        ["NUKE_SANDBOX_S3_PORT"] = "28081",
        ["NUKE_OVH_ENDPOINT"] = "http://127.0.0.1:28080/ovh/1.0",
        ["NUKE_IDENTITY_URL"] = "http://127.0.0.1:28080/identity/v3",
        ["NUKE_S3_ENDPOINT"] = "http://127.0.0.1:28081",
        ["NUKE_REGISTRY"] = "127.0.0.1:28082",
        ["NUKE_SSH_PORT"] = "2322",
        ["NUKE_HTTP_PORT"] = HttpPort.ToString(),
        ["NUKE_HTTPS_PORT"] = "28443",
        ["NUKE_MQTT_PORT"] = "28883",
        ["NUKE_APP_DIRECTORY"] = AppDirectory,
        ["NUKE_MARKER_FILE"] = "/var/lib/accoreboot-sandbox-e2e/boot-finished-docker",
        ["NUKE_SANDBOX_DIRECTORY"] = "/var/lib/accoreboot-sandbox-e2e",
        ["NUKE_STACK_PROJECT"] = Project,
        ["NUKE_STACK_NETWORK"] = Project,
    };

    private static Tool.Result Build(params string[] arguments) =>
        // through build.sh, as a user runs it: the build as build.sh compiles it (the tests' output mixes in ASP.NET
        // Core's assemblies, which the build does not carry), and the sandbox program compiled by its first start
        Tool.Run(Repository.Path("build.sh"), arguments, environment: Isolated, timeout: TimeSpan.FromMinutes(15));

    private static async Task<string> Http(string path)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var response = await client.GetAsync($"http://127.0.0.1:{HttpPort}{path}");
        return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
    }

    [Fact]
    public async Task Up_starts_the_sandbox_serves_the_journey_through_caddy_the_stack_targets_and_rollback_work_and_Down_leaves_nothing()
    {
        const string cloudLog = "/var/lib/accoreboot-sandbox-e2e/cloud.log";
        var cloudOutput = () => File.Exists(cloudLog) ? File.ReadAllText(cloudLog) : "(no cloud log)";
        var outputs = new List<string>();
        var rotatedSecrets = new List<string>();
        try
        {
            // a fresh machine's first command: Up starts the sandbox cloud itself, in the background
            var up = Build("Up", "--env", "sandbox", "--yes"); // the machine's extra CAs reach npm in the image build without a flag
            outputs.Add(up.All);
            Assert.True(up.ExitCode == 0, up.All + "\n--- cloud ---\n" + cloudOutput());
            Assert.Contains("Starting the sandbox cloud in the background", up.All);
            Assert.Contains("Pinned the host key of 127.0.0.1", up.All);
            Assert.Contains("Kept the API's JWT key in the state (sealed)", up.All);
            Assert.Equal("200 {\"status\":\"ok\"}", await Http("/health"));
            Assert.StartsWith("200 {\"keys\":[{\"kty\":\"RSA\"", await Http("/.well-known/jwks.json"));
            Assert.Contains($"health     http://127.0.0.1:{HttpPort}/health", up.All);
            Assert.Contains("MQTT       mqtt://127.0.0.1:28883", up.All);
            Assert.Contains("Next: ./build.sh Smoke --env sandbox", up.All);

            var smoke = Build("Smoke", "--env", "sandbox");
            outputs.Add(smoke.All);
            Assert.True(smoke.ExitCode == 0, smoke.All + "\n--- cloud ---\n" + cloudOutput());
            foreach (var step in new[] { "a wrong secret is refused", "an anonymous client is refused", "a client id that is not the username is refused",
                         "a publish under another device's topic disconnects the device", "the device connects over the websocket through Caddy",
                         "a position lands in the history and the latest position", "the user's token gets the position from PowerSync",
                         "EMQX's callbacks and /metrics are not routed by Caddy", "the revoked device is refused" })
                Assert.Matches($@"(?m)^\s+ok\s+\d+ ms\s+{System.Text.RegularExpressions.Regex.Escape(step)}$", smoke.Out);

            // the data comes back: Smoke's positions backed up, deleted, restored, and the journey works on them
            string Rows() => Sql("SELECT (SELECT count(*) FROM positions) || ' ' || (SELECT count(*) FROM device_latest_position) || ' ' || (SELECT count(*) FROM devices)");
            // Smoke cleans up after itself: a user, a device and its history, as the app would have made them
            Sql("""
                INSERT INTO app_users (id, username, password_hash) VALUES ('00000000-0000-4000-8000-00000000b4c0', 'backup-e2e', 'not-a-hash');
                INSERT INTO devices (id, name, owner_id, secret_hash) VALUES ('backup-e2e-device', 'van 7', '00000000-0000-4000-8000-00000000b4c0', '\x00');
                INSERT INTO positions (device_id, recorded_at, lat, lon) SELECT 'backup-e2e-device', now() - i * interval '1 minute', 48.85, 2.35 FROM generate_series(1, 25) AS i;
                INSERT INTO device_latest_position (device_id, owner_id, recorded_at, lat, lon) VALUES ('backup-e2e-device', '00000000-0000-4000-8000-00000000b4c0', now(), 48.85, 2.35);
                """);
            var rows = Rows();
            Assert.Matches(@"^[1-9]\d* [1-9]\d* [1-9]\d*$", rows);
            var backup = Build("Backup", "--env", "sandbox");
            outputs.Add(backup.All);
            Assert.True(backup.ExitCode == 0, backup.All);
            var backupId = System.Text.RegularExpressions.Regex.Match(backup.All, @"Backup (\d{8}-\d{6}) of sandbox: 4 tables, [\d,]+ rows \(").Groups[1].Value;
            Assert.True(backupId.Length > 0, backup.All);
            Assert.Contains("encrypted to 1 recipient, in s3://accoreboot-state-sandbox/sandbox/backups/" + backupId + ".tar.age", backup.All);
            Sql("DELETE FROM positions; DELETE FROM device_latest_position; DELETE FROM devices");
            Assert.Equal("0 0 0", Rows());
            var listed = Build("Backups", "--env", "sandbox");
            Assert.True(listed.ExitCode == 0 && listed.All.Contains(backupId), listed.All);
            var restore = Build("Restore", "--env", "sandbox", "--yes");
            outputs.Add(restore.All);
            Assert.True(restore.ExitCode == 0, restore.All);
            Assert.Contains($"Restored backup {backupId} into sandbox", restore.All);
            Assert.Equal(rows, Rows());
            var smokeAfterRestore = Build("Smoke", "--env", "sandbox");
            outputs.Add(smokeAfterRestore.All);
            Assert.True(smokeAfterRestore.ExitCode == 0, smokeAfterRestore.All);

            var again = Build("Deploy", "--env", "sandbox");
            outputs.Add(again.All);
            Assert.True(again.ExitCode == 0, again.All);
            Assert.Contains("Nothing to deploy", again.All);
            Assert.DoesNotContain("Pinned the host key", again.All); // the pin of the first contact is in the state now

            var status = Build("Status", "--env", "sandbox");
            outputs.Add(status.All);
            Assert.True(status.ExitCode == 0, status.All);
            foreach (var service in new[] { "api", "caddy", "emqx", "powersync" })
                Assert.Matches($"│ {service} +│ running +│ healthy", status.All);
            Assert.Matches(@"Release \d{8}-\d{6}-[0-9a-f]{8}, deployed .* UTC by ", status.All);

            var ssh = Build("Ssh", "--env", "sandbox", "--", "cat", AppDirectory + "/current/.release-hash");
            outputs.Add(ssh.All);
            Assert.True(ssh.ExitCode == 0, ssh.All);
            Assert.Matches(@"(?m)^[0-9a-f]{16}$", ssh.Out);

            var logs = Build("Logs", "--env", "sandbox", "--service", "api", "--tail", "50");
            outputs.Add(logs.All);
            Assert.True(logs.ExitCode == 0, logs.All);
            Assert.Contains("Nest application successfully started", logs.All);
            Assert.DoesNotContain("\u001b[2K", logs.All);

            var first = System.Text.RegularExpressions.Regex.Match(up.All, @"Release (\S+) is live on 127\.0\.0\.1").Groups[1].Value;
            Assert.Matches(@"^\d{8}-\d{6}-[0-9a-f]{8}$", first);
            var changed = Build("Deploy", "--env", "sandbox", "--emqx-dashboard", "--dashboard-port", "28084");
            outputs.Add(changed.All);
            Assert.True(changed.ExitCode == 0, changed.All);
            Assert.DoesNotContain($"Release {first} is live", changed.All);
            var rollback = Build("Rollback", "--env", "sandbox");
            outputs.Add(rollback.All);
            Assert.True(rollback.ExitCode == 0, rollback.All);
            Assert.Contains($"Release {first} is live again on 127.0.0.1", rollback.All);
            var afterRollback = Build("Status", "--env", "sandbox");
            Assert.Contains($"Release {first}, deployed ", afterRollback.All); // the state follows the rollback
            Assert.Equal("200 {\"status\":\"ok\"}", await Http("/health"));

            // the API's signing key rotated with an overlap: tokens signed before and after both work; the old key leaves
            // with the first Deploy after its overlap
            var admin = (await EnvironmentCredentialsAsync())["API_ADMIN_TOKEN"]!;
            var keyUser = $"rotation-{Guid.NewGuid():N}"[..20];
            await Api(HttpMethod.Post, "/api/admin/users", new { username = keyUser, password = "rotation-password-1" }, admin);
            var tokenBefore = await TokenAsync(keyUser, "rotation-password-1");
            Assert.Equal(1, await JwksCountAsync());
            var rotateKey = Build("Rotate", "--env", "sandbox", "--what", "jwt-key", "--yes", "--jwt-key-overlap", "2");
            outputs.Add(rotateKey.All);
            Assert.True(rotateKey.ExitCode == 0, rotateKey.All);
            Assert.Matches(@"The API signs with jwt-\d{14}\.key\.pem from now; jwt-\d{14}\.key\.pem stays published until ", rotateKey.All);
            Assert.Equal(2, await JwksCountAsync());
            var tokenAfter = await TokenAsync(keyUser, "rotation-password-1");
            Assert.NotEqual(KeyId(tokenBefore), KeyId(tokenAfter));
            Assert.True(await PowerSyncAcceptsAsync(tokenBefore), "PowerSync refuses a token signed before the rotation");
            // PowerSync fetches the JWKS again for an unknown kid, at most once per cooldown (5 s in jose's key set, as in the service)
            var accepted = false;
            for (var attempt = 0; attempt < 30 && !accepted; attempt++)
            {
                if (attempt > 0) await Task.Delay(500);
                accepted = await PowerSyncAcceptsAsync(tokenAfter);
            }
            Assert.True(accepted, "PowerSync refuses a token signed by the new key after 15 s");
            await Task.Delay(2500);
            var retire = Build("Deploy", "--env", "sandbox");
            outputs.Add(retire.All);
            Assert.True(retire.ExitCode == 0, retire.All);
            Assert.Contains("Retired the JWT key jwt-", retire.All);
            Assert.Equal(1, await JwksCountAsync());
            Assert.True(await PowerSyncAcceptsAsync(await TokenAsync(keyUser, "rotation-password-1")));
            outputs.Add(tokenBefore + tokenAfter); // searched for secrets like the rest

            // resilience: each target breaks something, measures the way back against its budget, writes its report
            foreach (var (target, kind) in new[] { ("ResilienceCrash", "crash"), ("ResilienceReboot", "reboot"), ("ResilienceRecreate", "recreate") })
            {
                var run = Build(target, "--env", "sandbox", "--yes");
                outputs.Add(run.All);
                Assert.True(run.ExitCode == 0, run.All + "\n--- cloud ---\n" + cloudOutput());
                Assert.Contains($"Resilience ({kind}) of sandbox: every check met.", run.All);
                var report = File.ReadAllText(Repository.Path("artifacts", $"resilience-{kind}-sandbox.md"));
                Assert.Contains("**every check met**", report);
                Assert.DoesNotContain("not met", report);
            }
            var smokeAfterRecreate = Build("Smoke", "--env", "sandbox");
            outputs.Add(smokeAfterRecreate.All);
            Assert.True(smokeAfterRecreate.ExitCode == 0, smokeAfterRecreate.All);

            // secrets replaced in service: the database password (Apply resets it, Deploy), the API's tokens (new values
            // in the credentials file, Deploy); the committed sandbox credentials are put back afterwards
            var credentialsFile = Repository.Path("credentials", "sandbox.enc.env");
            var credentialsBefore = File.ReadAllText(credentialsFile);
            var oldAdminToken = (await EnvironmentCredentialsAsync())["API_ADMIN_TOKEN"]!;
            try
            {
                var rotateDb = Build("Rotate", "--env", "sandbox", "--what", "db-password", "--yes");
                outputs.Add(rotateDb.All);
                Assert.True(rotateDb.ExitCode == 0, rotateDb.All);
                Assert.Contains("password: (due for rotation: Rotate by ", rotateDb.All);
                Assert.Contains("Rotated the db-password of sandbox", rotateDb.All);
                var rotateTokens = Build("Rotate", "--env", "sandbox", "--what", "api-tokens", "--yes");
                outputs.Add(rotateTokens.All);
                Assert.True(rotateTokens.ExitCode == 0, rotateTokens.All);
                var rotated = await EnvironmentCredentialsAsync();
                Assert.NotEqual(oldAdminToken, rotated["API_ADMIN_TOKEN"]);
                rotatedSecrets.AddRange(SecretRotation.ApiTokens.Select(name => rotated[name]!));
                using (var client = new HttpClient())
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{HttpPort}/api/admin/devices/backup-e2e-device/positions");
                    request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", oldAdminToken);
                    Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await client.SendAsync(request)).StatusCode); // the old token no longer opens the admin API
                }
                var smokeAfterRotation = Build("Smoke", "--env", "sandbox");
                outputs.Add(smokeAfterRotation.All);
                Assert.True(smokeAfterRotation.ExitCode == 0, smokeAfterRotation.All);

                // the deploy key, on the running instance: its authorized_keys over SSH, then the keypair; the instance
                // and what runs on it stay (a replaced instance would have a fresh stack), the old key is refused
                string Containers() => Tool.Run("docker", ["ps", "-q", "--no-trunc", "--filter", "label=com.docker.compose.project=" + Project]).Out.Trim();
                var containers = Containers();
                var oldKey = (await SandboxCommonCredentialsAsync())["SSH_PRIVATE_KEY"]!;
                Assert.Equal(0, SshWith(oldKey).ExitCode);
                var rotateDeployKey = Build("Rotate", "--env", "sandbox", "--what", "deploy-key", "--yes");
                outputs.Add(rotateDeployKey.All);
                Assert.True(rotateDeployKey.ExitCode == 0, rotateDeployKey.All + "\n--- cloud ---\n" + cloudOutput());
                Assert.Contains("The instance of sandbox (127.0.0.1) authorizes the new deploy key beside the old one.", rotateDeployKey.All);
                Assert.Contains("-/+ keypair.sandbox-deploy", rotateDeployKey.All);
                Assert.DoesNotContain("instance.sandbox-backend", rotateDeployKey.All);
                Assert.Contains("The old deploy key no longer logs in to 127.0.0.1.", rotateDeployKey.All);
                Assert.Contains("Rotated the deploy-key of sandbox", rotateDeployKey.All);
                var newKey = (await EnvironmentCredentialsAsync())["SSH_PRIVATE_KEY"]!;
                rotatedSecrets.AddRange(newKey.Split('\n').Where(line => line.Length >= 8 && !line.StartsWith("-----")));
                Assert.Equal(containers, Containers());
                var refused = SshWith(oldKey);
                Assert.True(refused.ExitCode == 255 && refused.Error.Contains("Permission denied"), refused.All);
                Assert.Equal(0, SshWith(newKey).ExitCode);
                var planAfterKey = Build("Plan", "--env", "sandbox");
                Assert.True(planAfterKey.ExitCode == 0, planAfterKey.All);
                Assert.Contains("No changes: sandbox matches its profile.", planAfterKey.All);
                var deployAfterKey = Build("Deploy", "--env", "sandbox");
                outputs.Add(deployAfterKey.All);
                Assert.True(deployAfterKey.ExitCode == 0, deployAfterKey.All);

                // Down with the rotated key (its final backup goes over SSH), before the committed credentials come back
                var down = Build("Down", "--env", "sandbox", "--yes");
                outputs.Add(down.All);
                Assert.True(down.ExitCode == 0, down.All + "\n--- cloud ---\n" + cloudOutput());
                Assert.Contains("nothing left, state removed", down.All);
                Assert.Matches(@"Backup \d{8}-\d{6} of sandbox: 4 tables", down.All); // Down's final backup, before anything went
                Assert.Contains("Sandbox cloud stopped.", down.All);
                await Assert.ThrowsAsync<HttpRequestException>(() => Http("/health"));
                Assert.Equal("", Tool.Run("docker", ["ps", "-aq", "--filter", "label=com.docker.compose.project=" + Project]).Out.Trim());
            }
            finally
            {
                File.WriteAllText(credentialsFile, credentialsBefore);
            }
        }
        finally
        {
            // whatever failed above, the cloud Up started goes (SandboxDown is what Down runs after itself)
            Build("SandboxDown", "--env", "sandbox");
        }
        outputs.Add(cloudOutput());
        Assert.False(Directory.Exists(AppDirectory), "SandboxCloud left the instance's directory");
        Assert.NotEqual(0, Tool.Run("docker", ["inspect", Project + "-db"]).ExitCode);
        Assert.False(File.Exists("/var/lib/accoreboot-sandbox-e2e/cloud.pid"), "Down left the cloud's pid file");
        foreach (var port in new[] { 28080, 28081, 28082, 2322, HttpPort, 28883 })
            Assert.False(Listening(port), $"something still listens on 127.0.0.1:{port} after Down");

        var secrets = (await SandboxSecretsAsync()).Concat(rotatedSecrets).ToList();
        foreach (var output in outputs)
            foreach (var secret in secrets)
                Assert.DoesNotContain(secret, output);
    }

    private static async Task<System.Text.Json.Nodes.JsonNode?> Api(HttpMethod method, string path, object body, string? bearer = null)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var request = new HttpRequestMessage(method, $"http://127.0.0.1:{HttpPort}{path}") { Content = System.Net.Http.Json.JsonContent.Create(body) };
        if (bearer != null) request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        using var response = await client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode}");
        return System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync());
    }

    private static async Task<string> TokenAsync(string username, string password) =>
        (await Api(HttpMethod.Post, "/api/auth/token", new { username, password }))!["token"]!.GetValue<string>();

    private static string KeyId(string token) =>
        System.Text.Json.Nodes.JsonNode.Parse(Convert.FromBase64String(Pad(token.Split('.')[0])))!["kid"]!.GetValue<string>();

    private static string Pad(string base64Url)
    {
        var text = base64Url.Replace('-', '+').Replace('_', '/');
        return text + new string('=', (4 - text.Length % 4) % 4);
    }

    private static async Task<int> JwksCountAsync() =>
        System.Text.Json.Nodes.JsonNode.Parse(await (await new HttpClient().GetAsync($"http://127.0.0.1:{HttpPort}/.well-known/jwks.json")).Content.ReadAsStringAsync())!["keys"]!.AsArray().Count;

    private static async Task<bool> PowerSyncAcceptsAsync(string token)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{HttpPort}/powersync/sync/stream") { Content = System.Net.Http.Json.JsonContent.Create(new { }) };
        request.Headers.TryAddWithoutValidation("Authorization", "Token " + token);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return response.IsSuccessStatusCode;
    }

    /// <summary>SQL in the sandbox's database (the managed PostgreSQL it plays), as its superuser.</summary>
    private static string Sql(string sql)
    {
        var result = Tool.Run("docker", ["exec", "-i", Project + "-db", "psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-U", "postgres", "-d", "accoreboot"], input: sql);
        Assert.True(result.ExitCode == 0, result.All);
        return result.Out.Trim();
    }

    internal static bool Listening(int port)
    {
        using var client = new System.Net.Sockets.TcpClient();
        try
        {
            client.Connect("127.0.0.1", port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    private static async Task<DotenvDocumentView> EnvironmentCredentialsAsync()
    {
        var store = new SopsDotenvStore(Repository.Root, new AgeIdentitySources(new FakeEnvironment(), null!, [Repository.Path("credentials", "sandbox", "age-key.txt")]), TimeProvider.System);
        return new DotenvDocumentView((await store.OpenAsync("credentials/sandbox.enc.env")).Plaintext.ToDictionary());
    }

    private static async Task<DotenvDocumentView> SandboxCommonCredentialsAsync()
    {
        var store = new SopsDotenvStore(Repository.Root, new AgeIdentitySources(new FakeEnvironment(), null!, [Repository.Path("credentials", "sandbox", "age-key.txt")]), TimeProvider.System);
        return new DotenvDocumentView((await store.OpenAsync("credentials/sandbox-common.enc.env")).Plaintext.ToDictionary());
    }

    /// <summary>OpenSSH's own client logging in to the test's instance with <paramref name="privateKey"/> (and no other key).</summary>
    private static Tool.Result SshWith(string privateKey)
    {
        using var directory = new TempDirectory();
        var keyFile = directory.Combine("key");
        File.WriteAllText(keyFile, privateKey.Replace("\r\n", "\n").Trim() + "\n");
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return Tool.Run("ssh", ["-i", keyFile, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "LogLevel=ERROR", "-p", "2322", "accoreboot-deploy@127.0.0.1", "true"], timeout: TimeSpan.FromSeconds(30));
    }

    private sealed record DotenvDocumentView(IReadOnlyDictionary<string, string> Values)
    {
        public string? this[string key] => Values.GetValueOrDefault(key);
    }

    internal static async Task<IReadOnlyList<string>> SandboxSecretsAsync()
    {
        var store = new SopsDotenvStore(Repository.Root, new AgeIdentitySources(new FakeEnvironment(), null!, [Repository.Path("credentials", "sandbox", "age-key.txt")]), TimeProvider.System);
        var values = new List<string>();
        foreach (var (file, schema) in new[] { ("credentials/sandbox-common.enc.env", CredentialSchema.Common), ("credentials/sandbox.enc.env", CredentialSchema.Environment) })
        {
            var opened = await store.OpenAsync(file);
            foreach (var key in schema.Where(k => k.IsSecret))
                if (opened.Plaintext[key.Name] is { Length: >= 8 } value)
                    values.AddRange(value.Replace("\\n", "\n").Split('\n').Where(line => line.Length >= 8 && !line.StartsWith("-----"))); // the SSH key, line by line
        }
        Assert.True(values.Count >= 8, "the sandbox credentials should hold the secrets searched for");
        return values;
    }
}
