using AccoReboot.Deploy;
using AccoReboot.Deploy.Remote;
using BuildEngine;
using Microsoft.Extensions.Time.Testing;
using Tests.Support;

namespace Tests.Deploy;

/// <summary>
/// What Deploy and Rollback do on each answer of the host, against a scripted instance (no sshd, no Docker): the
/// no-op, the repair, the first release, the rollback of an unhealthy one, a held lock, a full disk, cloud-init
/// that never finishes. The real-sshd suite (DeployTests) stays as the contract test of the same commands.
/// </summary>
[Trait("Category", "Unit")]
public class DeploySpecifications
{
    private static readonly RemoteLayout Layout = new("/opt/accoreboot", "accoreboot", "/var/lib/cloud/instance/boot-finished-docker");
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-12-01T10:00:00Z"));
    private readonly ScriptedInstance _host = new(Layout);
    private readonly StringWriter _output = new();

    private Deployer Deployer(DeployOptions? options = null) =>
        new(new ReleaseRenderer(new TemplateRenderer(Repository.Path("templates"))), Layout,
            options ?? DeployOptions.Default with { PollInterval = TimeSpan.FromSeconds(2) }, DeployHost.Log(_output), "tester@tests", _clock,
            (_, _) => Task.FromResult<IRemoteHost>(_host));

    private static readonly DeployTarget Target = new(new SshTarget("203.0.113.10", 22, "deploy", "unused"), new HostKey("ssh-ed25519", "AAAA"), _ => Task.FromResult(""), null);

    private static StackInputs Inputs(bool dashboard = false) =>
        new(StackFixture.Cloud() with { Dashboard = dashboard }, StackFixture.Database(), StackFixture.Secrets, null, null, "registry.accoreboot.example");

    private async Task<string> FirstReleaseAsync(bool dashboard = false)
    {
        var outcome = await Deployer().DeployAsync(Target, Inputs(dashboard), default);
        _clock.Advance(TimeSpan.FromMinutes(1));
        _host.Commands.Clear();
        return outcome.Release;
    }

    [Fact]
    public async Task A_first_deploy_uploads_switches_brings_up_checks_prunes_and_audits_under_the_lock()
    {
        var outcome = await Deployer().DeployAsync(Target, Inputs(), default);
        Assert.True(outcome.Changed);
        Assert.Equal(outcome.Release, _host.Current);
        Assert.Single(_host.Uploads);
        var order = new[] { ".deploy-lock 2>/dev/null", "upload ", "sha256sum -c", " pull ", "ln -sfn", " up -d --wait", "curl -fsS", "| while read -r r", "audit.log" }
            .Select(step => _host.Commands.FindIndex(c => c.Contains(step))).ToList();
        Assert.True(order.SequenceEqual(order.Order()) && order.All(i => i >= 0), string.Join("\n", _host.Commands));
        Assert.Equal(Layout.Unlock(), _host.Commands[^1]);
        Assert.Null(_host.LockHolder);
        Assert.EndsWith($"tester@tests {outcome.Release} deployed", Assert.Single(_host.Audit));
    }

    [Fact]
    public async Task The_same_release_running_healthy_is_a_no_op_found_in_one_command_without_the_lock()
    {
        var release = await FirstReleaseAsync();
        Assert.True(await Deployer().IsRunningAsync(Target, Task.FromResult<StackInputs?>(Inputs()), default));
        Assert.Equal([Layout.FactsAndServices()], _host.Commands);

        var again = await Deployer().DeployAsync(Target, Inputs(), default);
        Assert.Equal((release, false), (again.Release, again.Changed));
        Assert.Empty(_host.Uploads.Skip(1));
        Assert.DoesNotContain(_host.Commands, c => c.Contains(" up -d"));
        Assert.EndsWith("no change", _host.Audit[^1]);
    }

    [Fact]
    public async Task The_jwt_keys_the_state_keeps_go_onto_a_new_instance_before_any_key_is_made()
    {
        var first = await Deployer().DeployAsync(Target, Inputs(), default);
        var made = Assert.Single(first.JwtKeys!);
        Assert.Equal(_host.JwtKeys, first.JwtKeys);

        // the instance was replaced: an empty host, and the key kept in the state
        var replaced = new ScriptedInstance(Layout);
        var deployer = new Deployer(new ReleaseRenderer(new TemplateRenderer(Repository.Path("templates"))), Layout, DeployOptions.Default, DeployHost.Log(_output),
            "tester@tests", _clock, (_, _) => Task.FromResult<IRemoteHost>(replaced));
        var again = await deployer.DeployAsync(Target, Inputs() with { JwtKeys = first.JwtKeys }, default);
        Assert.Equal(made, Assert.Single(again.JwtKeys!));
        Assert.Equal(made.Value, replaced.JwtKeys[made.Key]);
        Assert.True(replaced.Commands.FindIndex(c => c.Contains(".key.pem") && c.Contains(".tmp")) < replaced.Commands.IndexOf(Layout.EnsureJwtKey()));
        // the key never travels in a command line: only on stdin
        Assert.DoesNotContain(replaced.Commands, c => c.Contains("Made-on-this-host"));
        Assert.Contains("BEGIN TEST FIXTURE", Assert.Single(AccoReboot.Deploy.Deployer.ParseJwtKeys($"{RemoteLayout.JwtKeySeparator}{made.Key}\n{made.Value}")).Value);
    }

    [Fact]
    public async Task A_changed_setting_is_a_new_release_and_the_old_one_stays_to_go_back_to()
    {
        var first = await FirstReleaseAsync();
        Assert.False(await Deployer().IsRunningAsync(Target, Task.FromResult<StackInputs?>(Inputs(dashboard: true)), default));
        var second = await Deployer().DeployAsync(Target, Inputs(dashboard: true), default);
        Assert.NotEqual(first, second.Release);
        Assert.Equal([first, second.Release], _host.ReleaseHashes.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_current_release_with_a_container_down_is_repaired_not_redeployed()
    {
        var release = await FirstReleaseAsync();
        _host.ContainersUp = false;
        Assert.False(await Deployer().IsRunningAsync(Target, Task.FromResult<StackInputs?>(Inputs()), default));
        var repaired = await Deployer().DeployAsync(Target, Inputs(), default);
        Assert.Equal((release, true), (repaired.Release, repaired.Changed));
        Assert.Single(_host.Uploads);
        Assert.Equal(2, _host.Ups);
        Assert.EndsWith($"{release} repaired", _host.Audit[^1]);
    }

    [Fact]
    public async Task An_unhealthy_release_goes_back_to_the_previous_one_and_says_why()
    {
        var good = await FirstReleaseAsync();
        _host.HealthyWith = release => release == good;
        var failure = await Assert.ThrowsAsync<BuildFailure>(() => Deployer().DeployAsync(Target, Inputs(dashboard: true), default));
        Assert.Contains($"rolled back to {good}, which serves again", failure.Message);
        Assert.Contains("container accoreboot-api-1 is unhealthy; its last log lines: api: cannot reach the database", failure.Message);
        Assert.Equal(good, _host.Current);
        Assert.True(_host.ContainersUp);
        Assert.Contains($"rolled back to {good}", _host.Audit[^1]);
        Assert.Null(_host.LockHolder);
    }

    [Fact]
    public async Task A_first_release_that_is_unhealthy_has_nothing_to_go_back_to()
    {
        _host.HealthyWith = _ => false;
        var failure = await Assert.ThrowsAsync<BuildFailure>(() => Deployer().DeployAsync(Target, Inputs(), default));
        Assert.Contains("there is no earlier release to go back to", failure.Message);
        Assert.Contains("failed: ", _host.Audit[^1]);
    }

    [Fact]
    public async Task A_lock_held_by_another_deploy_names_it_and_is_left_alone()
    {
        _host.LockHolder = "alice@laptop Deploy 2026-12-01T09:59:00Z";
        var failure = await Assert.ThrowsAsync<BuildFailure>(() => Deployer().DeployAsync(Target, Inputs(), default));
        Assert.Equal("The deploy lock on the host is held by alice@laptop Deploy 2026-12-01T09:59:00Z. Wait for that deploy, or if it is dead: --force-unlock.", failure.Message);
        Assert.Equal("alice@laptop Deploy 2026-12-01T09:59:00Z", _host.LockHolder);
        Assert.Empty(_host.Uploads);

        var forced = await Deployer(DeployOptions.Default with { ForceUnlock = true }).DeployAsync(Target, Inputs(), default);
        Assert.True(forced.Changed);
    }

    [Fact]
    public async Task A_full_disk_stops_before_the_switch_and_says_what_to_free()
    {
        var good = await FirstReleaseAsync();
        _host.DiskFull = true;
        var failure = await Assert.ThrowsAsync<BuildFailure>(() => Deployer().DeployAsync(Target, Inputs(dashboard: true), default));
        Assert.StartsWith("The host's disk is full: could not", failure.Message);
        Assert.Contains("docker system prune", failure.Message);
        Assert.Equal(good, _host.Current);
        Assert.DoesNotContain(_host.Commands, c => c.Contains("ln -sfn"));
    }

    [Fact]
    public async Task Cloud_init_that_never_finishes_ends_at_the_marker_timeout_on_the_clock()
    {
        _host.CloudInitDone = false;
        var deploy = Deployer().DeployAsync(Target, Inputs(), default);
        for (var i = 0; i < 10_000 && !deploy.IsCompleted; i++)
        {
            await Task.Delay(1);
            _clock.Advance(TimeSpan.FromSeconds(2));
        }
        var failure = await Assert.ThrowsAsync<BuildFailure>(() => deploy);
        Assert.StartsWith("cloud-init has not finished on 203.0.113.10 after 10 min (no /var/lib/cloud/instance/boot-finished-docker)", failure.Message);
        Assert.Null(_host.LockHolder);
    }

    [Fact]
    public async Task Rollback_goes_to_the_release_before_the_current_one()
    {
        var first = await FirstReleaseAsync();
        var second = (await Deployer().DeployAsync(Target, Inputs(dashboard: true), default)).Release;
        var back = await Deployer().RollbackAsync(Target, StackFixture.Cloud(), null, default);
        Assert.Equal(first, back.Release);
        Assert.Equal(first, _host.Current);
        Assert.Contains($"rolled back from {second}", _host.Audit[^1]);
        var unknown = await Assert.ThrowsAsync<BuildFailure>(() => Deployer().RollbackAsync(Target, StackFixture.Cloud(), "20200101000000-nothing", default));
        Assert.Contains("is not on 203.0.113.10", unknown.Message);
    }
}
