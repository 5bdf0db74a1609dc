using AccoReboot.Sandbox.Emulator;
using Tests.Support;

namespace Tests.Infra;

/// <summary>The OVH and OpenStack failures an apply meets in practice: it must end with one of each resource.</summary>
[Trait("Category", "Integration")]
public class FaultTests
{
    public static TheoryData<string, string, string, string> Faults => new()
    {
        { "cluster created but answered 500", "ServerErrorAfterWork", "POST", "/database/postgresql$" },
        { "database created but answered 500", "ServerErrorAfterWork", "POST", "/database$" },
        { "user created but answered 500 (password lost)", "ServerErrorAfterWork", "POST", "/user$" },
        { "server created but the connection dropped", "DropConnectionAfterWork", "POST", "^/v2.1/servers$" },
        { "security group created but answered 500", "ServerErrorAfterWork", "POST", "^/v2.0/security-groups$" },
        { "keypair created but the connection dropped", "DropConnectionAfterWork", "POST", "^/v2.1/os-keypairs$" },
        { "cluster not ready for a database", "NotReady", "POST", "/database$" },
        { "cluster busy for the restriction", "NotReady", "PUT", "/database/postgresql/[^/]+$" },
        { "rate limited reads", "TooManyRequests", "GET", "/database/postgresql/[^/]+$" },
        { "server errors on reads", "ServerError", "GET", "^/v2.1/servers/" },
        { "slow answers", "Latency", "GET", "/database/postgresql" },
    };

    [Theory, MemberData(nameof(Faults))]
    public async Task Apply_ends_with_one_of_each_resource_despite(string what, string kind, string method, string path)
    {
        await using var emulator = await Emulator.StartAsync(ProvisioningRepository.FastOptions);
        using var root = new TempDirectory();
        ProvisioningRepository.For(emulator.Cloud)(root);
        emulator.Cloud.Inject(new Fault(Enum.Parse<FaultKind>(kind), method, path, times: 2) { Delay = TimeSpan.FromMilliseconds(100) });

        var apply = EngineRun.In<Build>(root, ["Apply", "--env", "test"], ProvisioningRepository.Environment);
        if (apply.ExitCode != 0)
        {
            // a failure the build cannot tell apart from a real one stops it; the next run finishes the job
            Assert.Contains("run the same command again", apply.Error);
            emulator.Cloud.ClearFaults();
            apply = EngineRun.In<Build>(root, ["Apply", "--env", "test"], ProvisioningRepository.Environment);
        }
        Assert.True(apply.ExitCode == 0, $"{what}:\n{apply.All}");

        var world = emulator.Cloud.World;
        var now = DateTimeOffset.UtcNow;
        Assert.Single(world.Servers.Values, s => s.Status(now) != null);
        var cluster = Assert.Single(world.Clusters.Values, c => c.Status(now) != null);
        Assert.Single(world.SecurityGroups.Values, g => g.Name == "test-backend-sg");
        Assert.Single(cluster.Users.Values);
        Assert.Equal(["accoreboot", "defaultdb", "powersync_storage"], cluster.Databases.Values.Order());
        Assert.Equal(0, EngineRun.In<Build>(root, ["Plan", "--env", "test"], ProvisioningRepository.Environment).ExitCode);
        Assert.True(emulator.Cloud.Violations.Count == 0, string.Join("\n", emulator.Cloud.Violations));
    }

    [Fact]
    public async Task A_server_that_goes_to_error_fails_with_the_fault_and_is_replaced_next_time()
    {
        await using var emulator = await Emulator.StartAsync(ProvisioningRepository.FastOptions);
        using var root = new TempDirectory();
        ProvisioningRepository.For(emulator.Cloud)(root);
        emulator.Cloud.Inject(new Fault(FaultKind.ServerGoesToError, "POST", "^/v2.1/servers$") { Message = "No valid host was found." });

        var failed = EngineRun.In<Build>(root, ["Apply", "--env", "test"], ProvisioningRepository.Environment);
        Assert.Equal(1, failed.ExitCode);
        Assert.Contains("test-backend went to ERROR: No valid host was found.", failed.Error);

        var replaced = EngineRun.In<Build>(root, ["Apply", "--env", "test", "--yes"], ProvisioningRepository.Environment);
        Assert.True(replaced.ExitCode == 0, replaced.All);
        Assert.Contains("~ status: ERROR → ACTIVE   # forces replacement", replaced.Out);
        Assert.Single(emulator.Cloud.World.Servers.Values, s => s.Status(DateTimeOffset.UtcNow) == "ACTIVE");
    }

    [Fact]
    public async Task Down_whose_cluster_delete_was_done_but_answered_500_finishes_without_waiting_for_ready()
    {
        await using var emulator = await Emulator.StartAsync(ProvisioningRepository.FastOptions);
        using var root = new TempDirectory();
        ProvisioningRepository.For(emulator.Cloud)(root);
        Assert.Equal(0, EngineRun.In<Build>(root, ["Apply", "--env", "test"], ProvisioningRepository.Environment).ExitCode);
        emulator.Cloud.Inject(new Fault(FaultKind.ServerErrorAfterWork, "DELETE", "/database/postgresql/[^/]+$"));

        // the retried DELETE finds the cluster DELETING (409): that is the outcome asked for, not a reason to wait for READY
        var down = EngineRun.In<Build>(root, ["Down", "--env", "test", "--yes", "--poll-interval", "0.02"], ProvisioningRepository.Environment);
        Assert.True(down.ExitCode == 0, down.All);
        Assert.DoesNotContain(emulator.Cloud.World.Clusters.Values, c => c.Status(DateTimeOffset.UtcNow) != null);
    }
}
