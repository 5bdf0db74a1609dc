using AccoReboot.Deploy;
using AccoReboot.Deploy.Remote;
using BuildEngine;
using Tests.Support;

namespace Tests.Deploy;

/// <summary>Deploys over a real SSH server to a real Docker Engine (compose v2), images built locally.</summary>
[Trait("Category", "Integration")]
public class DeployTests
{
    private static async Task<string> Http(int port, string path)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var response = await client.GetAsync($"http://127.0.0.1:{port}{path}");
        return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
    }

    [Fact]
    public async Task A_first_deploy_brings_the_stack_up_behind_caddy_and_a_second_changes_nothing()
    {
        await using var host = await DeployHost.StartAsync();
        var output = new StringWriter();
        var deployer = host.Deployer(DeployHost.Log(output));

        var first = await deployer.DeployAsync(host.Target(), host.Inputs(), default);
        Assert.True(first.Changed, output.ToString());
        Assert.Equal("200 {\"status\":\"ok\"}", await Http(host.Settings.HttpPort, "/health"));
        Assert.StartsWith("200 {\"keys\":[{\"kty\":\"RSA\"", await Http(host.Settings.HttpPort, "/.well-known/jwks.json"));
        Assert.StartsWith("404", await Http(host.Settings.HttpPort, "/nowhere"));
        Assert.Equal(first.Release, host.Current);
        var env = new FileInfo(Path.Combine(host.AppDirectory, "current", ".env"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, env.UnixFileMode);
        var key = Directory.GetFiles(Path.Combine(host.AppDirectory, "keys"), "*.key.pem").Single();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        Assert.Contains($"tester@tests {first.Release} deployed", File.ReadAllText(Path.Combine(host.AppDirectory, "audit.log")));
        var containers = host.Containers();
        Assert.Equal(["api", "caddy", "emqx", "powersync"], containers.Keys.Order());

        // a no-op is known from one remote command, without the host's lock; a changed input is not one
        var audit = File.ReadAllText(Path.Combine(host.AppDirectory, "audit.log"));
        Assert.True(await deployer.IsRunningAsync(host.Target(), Task.FromResult<StackInputs?>(host.Inputs()), default), output.ToString());
        Assert.False(await deployer.IsRunningAsync(host.Target(), Task.FromResult<StackInputs?>(host.Inputs(host.Settings with { Dashboard = true, DashboardPort = FreePort.Next() })), default));
        Assert.Equal(audit, File.ReadAllText(Path.Combine(host.AppDirectory, "audit.log")));
        Assert.Equal(containers, host.Containers());

        var second = await deployer.DeployAsync(host.Target(), host.Inputs(), default);
        Assert.False(second.Changed);
        Assert.Equal(first.Release, second.Release);
        Assert.Equal(containers, host.Containers());
        Assert.Contains($"{first.Release} no change", File.ReadAllText(Path.Combine(host.AppDirectory, "audit.log")));
        Assert.False(Directory.Exists(Path.Combine(host.AppDirectory, ".deploy-lock")));
    }

    [Fact]
    public async Task Only_a_connection_that_sends_no_secret_gives_up_the_post_quantum_key_exchange()
    {
        await using var host = await DeployHost.StartAsync();
        await using (var deploying = await SshSession.ConnectAsync(host.Target().Ssh, _ => null, default))
            Assert.Matches("^(mlkem768|sntrup761)x25519-", deploying.KeyExchange);
        await using (var reading = await SshSession.ConnectAsync(host.Target().Ssh with { CarriesSecrets = false }, _ => null, default))
            Assert.Equal("curve25519-sha256", reading.KeyExchange);
    }

    [Fact]
    public async Task A_changed_emqx_config_recreates_emqx_and_nothing_else()
    {
        await using var host = await DeployHost.StartAsync();
        var deployer = host.Deployer(DeployHost.Log(new StringWriter()));
        await deployer.DeployAsync(host.Target(), host.Inputs(), default);
        var before = host.Containers();

        // the dashboard setting changes emqx.conf and the ports of EMQX only
        var changed = await deployer.DeployAsync(host.Target(), host.Inputs(host.Settings with { Dashboard = true, DashboardPort = FreePort.Next() }), default);
        Assert.True(changed.Changed);
        var after = host.Containers();
        Assert.NotEqual(before["emqx"].id, after["emqx"].id);
        foreach (var service in new[] { "api", "caddy", "powersync" })
            Assert.Equal(before[service].id, after[service].id);
        Assert.Equal("200 {\"status\":\"ok\"}", await Http(host.Settings.HttpPort, "/health"));
    }

    [Fact]
    public async Task An_unhealthy_release_is_rolled_back_and_the_previous_one_serves_again()
    {
        await using var host = await DeployHost.StartAsync();
        var output = new StringWriter();
        var deployer = host.Deployer(DeployHost.Log(output), new DeployOptions(TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(25), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(500), 5, false));
        var good = await deployer.DeployAsync(host.Target(), host.Inputs(), default);

        // a wrong database password: the API never becomes healthy
        var failure = await Assert.ThrowsAsync<BuildFailure>(() =>
            deployer.DeployAsync(host.Target(), host.Inputs(database: host.DatabaseOnNetwork with { Password = "not-the-password" }), default));
        Assert.Contains($"rolled back to {good.Release}, which serves again", failure.Message);
        Assert.Equal(good.Release, host.Current);
        Assert.Equal("200 {\"status\":\"ok\"}", await Http(host.Settings.HttpPort, "/health"));
        Assert.Contains($"rolled back to {good.Release}", File.ReadAllText(Path.Combine(host.AppDirectory, "audit.log")));
        Assert.DoesNotContain("not-the-password", output.ToString() + failure.Message);
    }

    [Fact]
    public async Task A_held_deploy_lock_stops_the_deploy_with_its_holder_and_force_unlock_breaks_it()
    {
        await using var host = await DeployHost.StartAsync();
        var lockDirectory = Path.Combine(host.AppDirectory, ".deploy-lock");
        Directory.CreateDirectory(lockDirectory);
        File.WriteAllText(Path.Combine(lockDirectory, "owner"), "alice@laptop Deploy 2026-11-27T08:00:00Z\n");
        Tool.Run("chown", ["-R", $"{DeployHost.User}:{DeployHost.User}", lockDirectory]);

        var failure = await Assert.ThrowsAsync<BuildFailure>(() => host.Deployer(DeployHost.Log(new StringWriter())).DeployAsync(host.Target(), host.Inputs(), default));
        Assert.Equal("The deploy lock on the host is held by alice@laptop Deploy 2026-11-27T08:00:00Z. Wait for that deploy, or if it is dead: --force-unlock.", failure.Message);
        Assert.Empty(host.Containers());

        var forced = host.Deployer(DeployHost.Log(new StringWriter()), DeployOptions.Default with { ForceUnlock = true, PollInterval = TimeSpan.FromMilliseconds(500) });
        Assert.True((await forced.DeployAsync(host.Target(), host.Inputs(), default)).Changed);
    }

    [Fact]
    public async Task A_host_key_other_than_the_pinned_one_is_refused_before_anything_runs()
    {
        await using var host = await DeployHost.StartAsync();
        var impostor = new HostKey("ssh-ed25519", "AAAAC3NzaC1lZDI1NTE5AAAAIGq1ZbXJg5TCR0uuE+YD0SbhprL6frwhcmE2pTbT6Q4H");
        var failure = await Assert.ThrowsAsync<BuildFailure>(() => host.Deployer(DeployHost.Log(new StringWriter())).DeployAsync(host.Target(pinned: impostor), host.Inputs(), default));
        Assert.StartsWith("The host key of 127.0.0.1 is not the one pinned at first contact (pinned SHA256:", failure.Message);
        Assert.Contains("Not connecting.", failure.Message);
        Assert.False(Directory.Exists(Path.Combine(host.AppDirectory, "releases")));
    }

    [Fact]
    public async Task At_first_contact_the_key_is_pinned_from_the_fingerprints_on_the_console()
    {
        await using var host = await DeployHost.StartAsync();
        var console = $"cloud-init: ...\n-----BEGIN SSH HOST KEY FINGERPRINTS-----\n256 {host.Key.Fingerprint} root@test (ED25519)\n-----END SSH HOST KEY FINGERPRINTS-----\n";
        var target = host.Target(console: console) with { PinnedKey = null };
        var deployer = host.Deployer(DeployHost.Log(new StringWriter()));
        await using (var session = await host.Connection(DeployHost.Log(new StringWriter())).OpenAsync(target, default))
            Assert.Equal(host.Key, session.PresentedKey);

        var noFingerprints = target with { ConsoleOutput = _ => Task.FromResult("booting…\n") };
        var failure = await Assert.ThrowsAsync<BuildFailure>(() => host.Connection(DeployHost.Log(new StringWriter())).OpenAsync(noFingerprints, default));
        Assert.Contains("its console shows no SSH host key fingerprints yet", failure.Message);

        var otherFingerprint = target with { ConsoleOutput = _ => Task.FromResult(console.Replace(host.Key.Fingerprint, "SHA256:" + new string('A', 43))) };
        Assert.Contains("is not among the fingerprints", (await Assert.ThrowsAsync<BuildFailure>(() => host.Connection(DeployHost.Log(new StringWriter())).OpenAsync(otherFingerprint, default))).Message);
    }

    [Fact]
    public async Task An_interrupted_upload_leaves_the_running_release_alone_and_the_next_deploy_works()
    {
        await using var host = await DeployHost.StartAsync();
        var good = await host.Deployer(DeployHost.Log(new StringWriter())).DeployAsync(host.Target(), host.Inputs(), default);
        var before = host.Containers();

        var breaking = host.Deployer(DeployHost.Log(new StringWriter()), uploadThrough: stream => new BreakingStream(stream, 512));
        var failure = await Assert.ThrowsAsync<BuildFailure>(() => breaking.DeployAsync(host.Target(), host.Inputs(host.Settings with { Dashboard = true }), default));
        Assert.Contains("broke off", failure.Message);
        Assert.Equal(good.Release, host.Current);
        Assert.Equal(before, host.Containers());
        Assert.Single(Directory.GetDirectories(Path.Combine(host.AppDirectory, "releases")));

        var next = await host.Deployer(DeployHost.Log(new StringWriter())).DeployAsync(host.Target(), host.Inputs(host.Settings with { Dashboard = true }), default);
        Assert.NotEqual(good.Release, next.Release);
        Assert.Empty(Directory.GetFiles(Path.Combine(host.AppDirectory, ".upload")));
    }

    [Fact]
    public async Task A_missing_cloud_init_marker_ends_in_one_clear_line_after_the_timeout()
    {
        await using var host = await DeployHost.StartAsync(marker: false);
        var deployer = host.Deployer(DeployHost.Log(new StringWriter()), new DeployOptions(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(300), 5, false));
        var failure = await Assert.ThrowsAsync<BuildFailure>(() => deployer.DeployAsync(host.Target(), host.Inputs(), default));
        Assert.Equal($"cloud-init has not finished on 127.0.0.1 after 2 s (no {host.Marker}): read its console output in the OVH console, or run Apply to replace a broken instance.", failure.Message);
    }

    [Fact]
    public async Task An_unreachable_host_and_a_refused_key_are_one_line_each()
    {
        await using var host = await DeployHost.StartAsync();
        var deployer = host.Deployer(DeployHost.Log(new StringWriter()));
        var unreachable = await Assert.ThrowsAsync<BuildFailure>(() => deployer.DeployAsync(host.Target(port: FreePort.Next()), host.Inputs(), default));
        Assert.StartsWith("Cannot reach accoreboot-deploy@127.0.0.1:", unreachable.Message);

        var otherKey = Tool.Run("sh", ["-c", $"ssh-keygen -q -t ed25519 -N '' -f {host.Directory.Combine("other")} && cat {host.Directory.Combine("other")}"]).Out;
        var refused = await Assert.ThrowsAsync<DeployKeyRefused>(() => deployer.DeployAsync(host.Target(privateKey: otherKey), host.Inputs(), default));
        Assert.Contains("refused the deploy key", refused.Message);
        Assert.DoesNotContain("\n", refused.Message);
    }

    [Fact]
    public async Task A_full_disk_stops_the_deploy_and_the_previous_release_keeps_serving()
    {
        await using var host = await DeployHost.StartAsync();
        // the application directory on a small file system of its own
        Assert.Equal(0, Tool.Run("mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", host.AppDirectory]).ExitCode);
        Tool.Run("chown", [$"{DeployHost.User}:{DeployHost.User}", host.AppDirectory]);
        var good = await host.Deployer(DeployHost.Log(new StringWriter())).DeployAsync(host.Target(), host.Inputs(), default);
        Tool.Run("sh", ["-c", $"dd if=/dev/zero of={host.AppDirectory}/filler bs=1k count=8192 2>/dev/null; true"]);

        var failure = await Assert.ThrowsAsync<BuildFailure>(() => host.Deployer(DeployHost.Log(new StringWriter())).DeployAsync(host.Target(), host.Inputs(host.Settings with { Dashboard = true }), default));
        Assert.StartsWith("The host's disk is full", failure.Message);
        Assert.Equal(good.Release, host.Current);
        Assert.Equal("200 {\"status\":\"ok\"}", await Http(host.Settings.HttpPort, "/health"));
    }

    [Fact]
    public async Task Rollback_goes_back_to_the_previous_release_and_old_releases_are_pruned()
    {
        await using var host = await DeployHost.StartAsync();
        var deployer = host.Deployer(DeployHost.Log(new StringWriter()));
        var releases = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            // each a different release: another dashboard port changes emqx only
            releases.Add((await deployer.DeployAsync(host.Target(), host.Inputs(host.Settings with { Dashboard = true, DashboardPort = 20000 + i }), default)).Release);
            await Task.Delay(1100); // release ids carry the second
        }
        var kept = Directory.GetDirectories(Path.Combine(host.AppDirectory, "releases")).Select(Path.GetFileName).Order().ToList();
        Assert.True(kept.Count <= 7 && kept.TakeLast(5).SequenceEqual(releases.TakeLast(5)), string.Join(",", kept));
        Assert.DoesNotContain(releases[1], kept);

        var back = await deployer.RollbackAsync(host.Target(), host.Settings, null, default);
        Assert.Equal(releases[5], back.Release);
        Assert.Equal(host.Settings.Images.Api, back.ApiImage);
        Assert.Equal(releases[5], host.Current);
        Assert.Equal("200 {\"status\":\"ok\"}", await Http(host.Settings.HttpPort, "/health"));
    }

    /// <summary>A stream that fails part-way, as a dropped connection does.</summary>
    private sealed class BreakingStream(Stream inner, int after) : Stream
    {
        private int _read;
        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_read >= after) throw new IOException("connection reset by peer (simulated)");
            var n = inner.Read(buffer, offset, Math.Min(count, after - _read));
            _read += n;
            return n;
        }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => _read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
