using System.Text.Json;
using AccoReboot.Sandbox.Emulator;
using AccoReboot.State;
using Tests.Support;

namespace Tests.Infra;

[Trait("Category", "Integration")]
public class ProvisioningTests
{
    private static EngineRun Run(TempDirectory root, string arguments, bool interactive = false, string input = "") =>
        EngineRun.In<Build>(root, EngineRun.Split(arguments), ProvisioningRepository.Environment, interactive, input);

    private static async Task<(Emulator emulator, TempDirectory root)> AppliedAsync(EmulatorOptions? options = null, string profileExtras = "")
    {
        var emulator = await Emulator.StartAsync(options ?? ProvisioningRepository.FastOptions);
        var root = new TempDirectory();
        ProvisioningRepository.For(emulator.Cloud, profileExtras)(root);
        // --yes: a protected environment's first Apply asks too
        var apply = Run(root, "Apply --env test --yes");
        Assert.True(apply.ExitCode == 0, apply.All);
        return (emulator, root);
    }

    [Fact]
    public async Task Plan_as_json_writes_only_json_on_stdout()
    {
        await using var emulator = await Emulator.StartAsync(ProvisioningRepository.FastOptions);
        using var root = new TempDirectory();
        ProvisioningRepository.For(emulator.Cloud)(root);
        var plan = Run(root, "Plan --env test --json");
        Assert.Equal(2, plan.ExitCode);
        using var json = JsonDocument.Parse(plan.Out);
        Assert.True(json.RootElement.GetProperty("changes_pending").GetBoolean());
        var instance = json.RootElement.GetProperty("resource_changes").EnumerateArray().Single(c => c.GetProperty("address").GetString() == "instance.test-backend");
        Assert.Equal("create", instance.GetProperty("actions")[0].GetString());
        Assert.Contains("Plan", plan.Error); // the target header and summary went to stderr
    }

    [Fact]
    public async Task Drift_made_by_hand_shows_in_the_plan()
    {
        var (emulator, root) = await AppliedAsync();
        await using var _ = emulator;
        using var __ = root;
        var world = emulator.Cloud.World;
        lock (world.Gate)
        {
            var group = world.SecurityGroups.Values.Single(g => g.Name == "test-backend-sg");
            group.Rules.RemoveAll(r => r.PortMin == 1883 && r.Ethertype == "IPv4");
            world.Clusters.Values.Single().Flavor = "db1-7";
        }
        var plan = Run(root, "Plan --env test");
        Assert.Equal(2, plan.ExitCode);
        Assert.Contains("~ security-group.test-backend-sg", plan.Out);
        Assert.Contains("+ rule: ingress IPv4 tcp 1883-1883 from 0.0.0.0/0", plan.Out);
        Assert.Contains("~ flavor: db1-7 → db1-4", plan.Out);

        var apply = Run(root, "Apply --env test");
        Assert.True(apply.ExitCode == 0, apply.All);
        Assert.Equal(0, Run(root, "Plan --env test").ExitCode);
    }

    [Fact]
    public async Task An_instance_deleted_by_hand_is_recreated_and_the_database_follows_its_new_address()
    {
        var (emulator, root) = await AppliedAsync();
        await using var _ = emulator;
        using var __ = root;
        lock (emulator.Cloud.World.Gate) emulator.Cloud.World.Servers.Clear();
        var apply = Run(root, "Apply --env test");
        Assert.True(apply.ExitCode == 0, apply.All);
        Assert.Equal(["203.0.113.11/32"], emulator.Cloud.World.Clusters.Values.Single().IpRestrictions.Select(r => r.Ip));
    }

    [Fact]
    public async Task A_replacement_asks_first_and_refuses_without_a_terminal()
    {
        var (emulator, root) = await AppliedAsync();
        await using var _ = emulator;
        using var __ = root;
        File.WriteAllText(root.Combine(".nuke", "parameters.test.json"), File.ReadAllText(root.Combine(".nuke", "parameters.test.json")).Replace("\"Region\": \"GRA9\"", "\"Region\": \"GRA9\", \"Flavor\": \"b3-16\""));
        var refused = Run(root, "Apply --env test");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("-/+ instance.test-backend   (forces replacement)", refused.Out);
        Assert.Contains("needs confirmation", refused.Error);
        Assert.Equal("b3-8", emulator.Cloud.World.Flavors.Single(f => f.Id == emulator.Cloud.World.Servers.Values.Single().FlavorId).Name);

        var confirmed = Run(root, "Apply --env test", interactive: true, input: "test\n");
        Assert.True(confirmed.ExitCode == 0, confirmed.All);
        var server = emulator.Cloud.World.Servers.Values.Single(s => s.Status(DateTimeOffset.UtcNow) != null);
        Assert.Equal("b3-16", emulator.Cloud.World.Flavors.Single(f => f.Id == server.FlavorId).Name);
    }

    [Fact]
    public async Task Down_confirms_deletes_everything_and_removes_the_state()
    {
        var (emulator, root) = await AppliedAsync();
        await using var _ = emulator;
        using var __ = root;
        emulator.Cloud.ClearRequests();
        var refused = Run(root, "Down --env test");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("Down needs confirmation, and nobody can answer here", refused.Error);
        Assert.Empty(emulator.Cloud.Requests); // refused before the lock or any read
        Assert.Single(emulator.Cloud.World.Clusters.Values, c => c.Status(DateTimeOffset.UtcNow) != null);

        var down = Run(root, "Down --env test --yes");
        Assert.True(down.ExitCode == 0, down.All);
        var world = emulator.Cloud.World;
        Assert.DoesNotContain(world.Servers.Values, s => s.Status(DateTimeOffset.UtcNow) != null);
        Assert.DoesNotContain(world.Clusters.Values, c => c.Status(DateTimeOffset.UtcNow) != null);
        Assert.DoesNotContain(world.SecurityGroups.Values, g => g.Name == "test-backend-sg");
        Assert.Empty(world.Keypairs);
        Assert.Null(world.S3.Get("accoreboot-state-test", "test/state.json"));
        Assert.True(emulator.Cloud.Violations.Count == 0, string.Join("\n", emulator.Cloud.Violations));
    }

    [Fact]
    public async Task A_protected_environment_is_changed_only_when_asked_and_never_replaced_or_deleted_by_accident()
    {
        var (emulator, root) = await AppliedAsync(profileExtras: ", \"Protected\": true");
        await using var _ = emulator;
        using var __ = root;
        var profile = root.Combine(".nuke", "parameters.test.json");
        emulator.Cloud.ClearRequests();

        // Down: refused before any change, even with --yes, unless the database may go too
        var down = Run(root, "Down --env test --yes");
        Assert.Equal(1, down.ExitCode);
        Assert.Contains("test is protected: Down would delete its database with the rest. Add --destroy-database", down.Error);
        Assert.Empty(emulator.Cloud.MutatingCloudCalls);

        // a replacing plan: refused with --yes, until --allow-replace
        File.WriteAllText(profile, File.ReadAllText(profile).Replace("\"Region\": \"GRA9\"", "\"Region\": \"GRA9\", \"Flavor\": \"b3-16\""));
        var replacing = Run(root, "Apply --env test --yes");
        Assert.Equal(1, replacing.ExitCode);
        Assert.Contains("Apply would replace instance.test-backend of test, which is protected", replacing.Error);
        Assert.Contains("--allow-replace", replacing.Error);
        Assert.Empty(emulator.Cloud.MutatingCloudCalls);
        Assert.True(Run(root, "Apply --env test --yes --allow-replace").ExitCode == 0);

        // any change asks for the environment's name; nobody can answer here without --yes
        File.WriteAllText(profile, File.ReadAllText(profile).Replace("\"AdminCidrs\": [\"198.51.100.0/24\"]", "\"AdminCidrs\": [\"198.51.100.0/24\", \"192.0.2.0/24\"]"));
        emulator.Cloud.ClearRequests();
        var unconfirmed = Run(root, "Apply --env test");
        Assert.Equal(1, unconfirmed.ExitCode);
        Assert.Contains("Apply changes test, which is protected (see the plan above) needs confirmation", unconfirmed.Error);
        Assert.Empty(emulator.Cloud.MutatingCloudCalls);
        var typed = Run(root, "Apply --env test", interactive: true, input: "test\n");
        Assert.True(typed.ExitCode == 0, typed.All);

        var all = Run(root, "Down --env test --yes --destroy-database");
        Assert.True(all.ExitCode == 0, all.All);
        Assert.DoesNotContain(emulator.Cloud.World.Clusters.Values, c => c.Status(DateTimeOffset.UtcNow) != null);
    }

    [Fact]
    public async Task The_prod_profile_is_protected_and_sized_as_ovh_sells_it()
    {
        using var prod = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Repository.Path(".nuke", "parameters.prod.json")));
        var values = prod.RootElement.EnumerateObject().Where(p => p.Name != "$schema").ToList();
        Assert.True(prod.RootElement.GetProperty("Protected").GetBoolean());
        Assert.NotEqual("b3-8", prod.RootElement.GetProperty("Flavor").GetString());
        // its database offer is one the (emulated) availability has: business runs 2 nodes
        var extras = string.Concat(values.Select(p => $", \"{p.Name}\": {p.Value.GetRawText()}"));
        var (emulator, root) = await AppliedAsync(profileExtras: extras);
        await using var _ = emulator;
        using var __ = root;
        var cluster = Assert.Single(emulator.Cloud.World.Clusters.Values);
        Assert.Equal(("business", 2), (cluster.Plan, cluster.Nodes));

        // and a plan with a node count OVH does not sell is refused as OVH refuses it
        File.WriteAllText(root.Combine(".nuke", "parameters.test.json"), File.ReadAllText(root.Combine(".nuke", "parameters.test.json")).Replace("\"DbNodes\": 2", "\"DbNodes\": 1"));
        var refused = Run(root, "Apply --env test --yes");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("no compute matches your expectations", refused.Error);
    }

    [Fact]
    public async Task Stop_and_start_the_instance_with_a_billing_warning()
    {
        var (emulator, root) = await AppliedAsync(ProvisioningRepository.FastOptions);
        await using var _ = emulator;
        using var __ = root;
        var stop = Run(root, "Stop --env test");
        Assert.True(stop.ExitCode == 0, stop.All);
        Assert.Contains("still billed", stop.Error);
        Assert.True(emulator.Cloud.World.Servers.Values.Single().PoweredOff);
        var plan = Run(root, "Plan --env test");
        Assert.Equal(0, plan.ExitCode);
        Assert.Contains("stopped (Start starts it)", plan.Out);
        var start = Run(root, "Start --env test");
        Assert.True(start.ExitCode == 0, start.All);
        Assert.False(emulator.Cloud.World.Servers.Values.Single().PoweredOff);
    }

    [Fact]
    public async Task Init_creates_the_versioned_bucket_once()
    {
        await using var emulator = await Emulator.StartAsync();
        using var root = new TempDirectory();
        ProvisioningRepository.For(emulator.Cloud, createBucket: false)(root);
        var init = Run(root, "Init --env test");
        Assert.True(init.ExitCode == 0, init.All);
        Assert.True(emulator.Cloud.World.S3.Bucket("accoreboot-state-test")!.Versioning);
        var again = Run(root, "Init --env test");
        Assert.Contains("exists", again.Out);
        Assert.Single(emulator.Cloud.Requests, r => r.Method == "POST" && r.Path.EndsWith("/storage"));
    }

    [Fact]
    public async Task A_held_lock_stops_apply_with_the_holder_named()
    {
        await using var emulator = await Emulator.StartAsync(ProvisioningRepository.FastOptions);
        using var root = new TempDirectory();
        ProvisioningRepository.For(emulator.Cloud)(root);
        await emulator.Cloud.World.S3.PutAsync("accoreboot-state-test", "test/state.lock", System.Text.Encoding.UTF8.GetBytes(
            new StateLockInfo("x", "alice@laptop", "laptop", 77, "Apply", DateTimeOffset.UtcNow).Serialize()), null, false, TimeSpan.Zero);
        var apply = Run(root, "Apply --env test");
        Assert.Equal(1, apply.ExitCode);
        Assert.Contains("locked by alice@laptop on laptop", apply.Error);
        Assert.Empty(emulator.Cloud.MutatingCloudCalls);
    }

    [Theory]
    [InlineData("\"Flavor\": \"b9-99\"", "Unknown flavor 'b9-99' in GRA9: available flavors are b3-16, b3-32, b3-8, c3-8, d2-4.")]
    [InlineData("\"Image\": \"Windows 95\"", "No active image named 'Windows 95' in GRA9: available images are Debian 12, Ubuntu 22.04, Ubuntu 24.04.")]
    [InlineData("\"Region\": \"XYZ1\"", "Unknown region 'XYZ1' for the OpenStack")]
    [InlineData("\"DbPlan\": \"premium\"", "Unknown database plan 'premium' (DbPlan): available essential, business, enterprise.")]
    [InlineData("\"DbVersion\": \"18\"", "Unknown PostgreSQL version '18' (DbVersion): available 15, 16, 17.")]
    public async Task A_bad_profile_value_lists_the_valid_ones_from_the_api(string setting, string message)
    {
        await using var emulator = await Emulator.StartAsync();
        using var root = new TempDirectory();
        ProvisioningRepository.For(emulator.Cloud, ", " + setting.Replace("\"Region\": \"XYZ1\"", "\"Region\": \"XYZ1\""))(root);
        if (setting.Contains("Region")) File.WriteAllText(root.Combine(".nuke", "parameters.test.json"), File.ReadAllText(root.Combine(".nuke", "parameters.test.json")).Replace("\"Region\": \"GRA9\",", ""));
        var plan = Run(root, "Plan --env test");
        Assert.Equal(1, plan.ExitCode);
        Assert.Contains(message, plan.Error);
        Assert.DoesNotContain("   at ", plan.All);
    }

    [Fact]
    public async Task Quota_exceeded_is_one_line_with_novas_message()
    {
        await using var emulator = await Emulator.StartAsync(new EmulatorOptions { InstanceQuota = 0, DatabaseCreateDelay = TimeSpan.FromMilliseconds(100) });
        using var root = new TempDirectory();
        ProvisioningRepository.For(emulator.Cloud)(root);
        var apply = Run(root, "Apply --env test");
        Assert.Equal(1, apply.ExitCode);
        Assert.Contains("instance.test-backend: OpenStack compute POST servers: 403 Forbidden: Quota exceeded for instances", apply.Error);
        Assert.Contains("run the same command again to finish", apply.Error);
    }

    [Fact]
    public async Task State_shows_every_environment_in_one_table()
    {
        var (emulator, root) = await AppliedAsync();
        await using var _ = emulator;
        using var __ = root;
        root.File(".nuke/parameters.preprod.json", $"{{ \"S3Endpoint\": \"{emulator.Cloud.S3Url}\", \"StateBucket\": \"accoreboot-state-preprod\" }}");
        var state = Run(root, "State");
        Assert.True(state.ExitCode == 0, state.All);
        var test = state.Out.Split('\n').Single(l => l.StartsWith("│ test"));
        // one entry per kind of resource the state holds, counted (the cell may wrap onto the row's next lines)
        var row = string.Join(" ", state.Out.Split('\n').SkipWhile(l => !l.StartsWith("│ test")).TakeWhile(l => l.StartsWith("│ test") || l.StartsWith("│    "))
            .Select(l => l.Split('│', StringSplitOptions.TrimEntries)[2]));
        Assert.Equal("2 × database, db-cluster, db-ip-restriction, db-user, instance, keypair, security-group", row.Replace("  ", " ").Trim());
        Assert.Contains("203.0.113.10", test);
        Assert.Contains("READY", test);
        Assert.Contains("(Apply)", test);
        Assert.Contains("The state bucket accoreboot-state-preprod does not exist", string.Join(" ", state.Out.Split('\n').Where(l => l.Contains("preprod") || l.StartsWith("│    "))));
    }
}
