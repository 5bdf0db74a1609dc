using System.Diagnostics;
using AccoReboot.Sandbox.Emulator;
using AccoReboot.Infra.Resources;
using AccoReboot.State;
using Tests.Support;

namespace Tests.Infra;

/// <summary>
/// Apply killed (SIGKILL, no cleanup) right after each of its cloud calls, then run again: it must converge with
/// no duplicate and nothing orphaned, whatever the step.
/// </summary>
[Trait("Category", "Integration")]
public class CrashTests
{
    // a full apply makes 14 changing calls: group, 7 rules, keypair, server, cluster, 2 databases, user, restriction
    public static TheoryData<int> Steps => new(Enumerable.Range(1, 15));

    [Theory, MemberData(nameof(Steps))]
    public async Task Apply_killed_after_any_step_converges_when_run_again(int step)
    {
        await using var emulator = await Emulator.StartAsync(ProvisioningRepository.FastOptions);
        using var root = new TempDirectory();
        ProvisioningRepository.For(emulator.Cloud)(root);

        using var killed = await RunKilledAfterAsync(emulator, root, step);

        var again = EngineRun.In<Build>(root, ["Apply", "--env", "test"], ProvisioningRepository.Environment);
        Assert.True(again.ExitCode == 0, $"after a kill at step {step}:\n{killed.Output}\n---\n{again.All}");

        var world = emulator.Cloud.World;
        var now = DateTimeOffset.UtcNow;
        Assert.Single(world.Servers.Values, s => s.Status(now) != null);
        var cluster = Assert.Single(world.Clusters.Values, c => c.Status(now) != null);
        Assert.Single(world.SecurityGroups.Values, g => g.Name == "test-backend-sg");
        Assert.Equal(7, world.SecurityGroups.Values.Single(g => g.Name == "test-backend-sg").Rules.Count(r => r.Direction == "ingress"));
        Assert.Single(world.Keypairs.Values);
        Assert.Equal(["accoreboot", "defaultdb", "powersync_storage"], cluster.Databases.Values.Order());
        Assert.Single(cluster.Users.Values);
        Assert.Equal([world.Servers.Values.Single(s => s.Status(now) != null).Ipv4 + "/32"], cluster.IpRestrictions.Select(r => r.Ip));

        var state = StateDocument.Parse(System.Text.Encoding.UTF8.GetString(world.S3.Get("accoreboot-state-test", "test/state.json")!.Body), "state");
        Assert.Equal(cluster.Users.Keys.Single(), state.Slice<DbUserState>("db-user.accoreboot")!.Id);
        Assert.NotNull(state.Outputs.SealedDatabasePassword);
        Assert.Equal(0, EngineRun.In<Build>(root, ["Plan", "--env", "test"], ProvisioningRepository.Environment).ExitCode);
        Assert.True(emulator.Cloud.Violations.Count == 0, string.Join("\n", emulator.Cloud.Violations));
    }

    private static async Task<BackgroundProcess> RunKilledAfterAsync(Emulator emulator, TempDirectory root, int step)
    {
        var environment = ProvisioningRepository.Environment.ToDictionary(p => p.Key, p => (string?)p.Value);
        BackgroundProcess? process = null;
        var calls = 0;
        var killed = new TaskCompletionSource();
        emulator.Cloud.AfterRequest = request =>
        {
            if (!request.IsMutatingCloudCall || Interlocked.Increment(ref calls) != step) return;
            Process.GetProcessById(process!.Id).Kill();
            killed.TrySetResult();
        };
        process = new BackgroundProcess(Path.Combine(AppContext.BaseDirectory, "_build"), ["Apply", "--env", "test"], environment, root.Path);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!process.HasExited && DateTime.UtcNow < deadline) await Task.Delay(20);
        emulator.Cloud.AfterRequest = null;
        Assert.True(process.HasExited, "the apply neither finished nor was killed:\n" + process.Output);
        return process;
    }
}
