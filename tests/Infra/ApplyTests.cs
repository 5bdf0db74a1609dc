using AccoReboot.State;
using Tests.Support;

namespace Tests.Infra;

[Trait("Category", "Integration")]
public class ApplyTests
{
    private static EngineRun Run(TempDirectory root, string arguments) =>
        EngineRun.In<Build>(root, EngineRun.Split(arguments), ProvisioningRepository.Environment);

    private static StateDocument State(Emulator emulator) =>
        StateDocument.Parse(System.Text.Encoding.UTF8.GetString(emulator.Cloud.World.S3.Get("accoreboot-state-test", "test/state.json")!.Body), "state");

    [Fact]
    public async Task Apply_from_nothing_creates_everything_and_a_second_apply_changes_nothing()
    {
        await using var emulator = await Emulator.StartAsync(ProvisioningRepository.FastOptions);
        using var root = new TempDirectory();
        ProvisioningRepository.For(emulator.Cloud)(root);

        var plan = Run(root, "Plan --env test");
        Assert.True(plan.ExitCode == 2, plan.All);
        Assert.Contains("Plan: 7 to add, 1 to change, 0 to replace, 0 to destroy.", plan.Out);

        var apply = Run(root, "Apply --env test");
        Assert.True(apply.ExitCode == 0, apply.All);
        var world = emulator.Cloud.World;
        Assert.Single(world.Servers.Values);
        var cluster = Assert.Single(world.Clusters.Values);
        Assert.Equal(["203.0.113.10/32"], cluster.IpRestrictions.Select(r => r.Ip));
        Assert.Equal(["accoreboot", "defaultdb", "powersync_storage"], cluster.Databases.Values.Order());
        Assert.Equal("accoreboot", Assert.Single(cluster.Users.Values).Username);
        Assert.True(emulator.Cloud.Violations.Count == 0, string.Join("\n", emulator.Cloud.Violations));

        var state = State(emulator);
        Assert.Equal("203.0.113.10", state.Outputs.Ipv4);
        Assert.StartsWith($"# sealed to: {ProvisioningRepository.Identity.Recipient}\n-----BEGIN AGE ENCRYPTED FILE-----", state.Outputs.SealedDatabasePassword);
        Assert.NotNull(state.Outputs.DatabaseCa);
        Assert.Null(world.S3.Get("accoreboot-state-test", "test/state.lock"));

        emulator.Cloud.ClearRequests();
        var again = Run(root, "Apply --env test");
        Assert.True(again.ExitCode == 0, again.All);
        Assert.Contains("No changes", again.Out);
        Assert.Empty(emulator.Cloud.MutatingCloudCalls);

        var noChange = Run(root, "Plan --env test");
        Assert.Equal(0, noChange.ExitCode);
    }
}
