using AccoReboot.Infra.Resources;
using AccoReboot.State;
using Tests.Support;

namespace Tests.Infra;

/// <summary>
/// With a Domain, Apply keeps its A record at OVHcloud (the emulator checks every call against
/// apispecs/ovh-domain-subset.json): created with the instance's address, moved when the instance is replaced,
/// published by the zone's refresh, deleted by Down.
/// </summary>
[Trait("Category", "Integration")]
public class DnsRecordTests
{
    private static EngineRun Run(TempDirectory root, string arguments) =>
        EngineRun.In<Build>(root, EngineRun.Split(arguments), ProvisioningRepository.Environment);

    [Fact]
    public async Task The_domains_a_record_follows_the_instance_and_goes_with_Down()
    {
        await using var emulator = await Emulator.StartAsync(ProvisioningRepository.FastOptions);
        using var root = new TempDirectory();
        ProvisioningRepository.For(emulator.Cloud, ", \"Domain\": \"api.accoreboot.example\"")(root);
        var zone = emulator.Cloud.World.Zones["accoreboot.example"];

        var plan = Run(root, "Plan --env test");
        Assert.Equal(2, plan.ExitCode);
        Assert.Contains("+ dns-record.api.accoreboot.example", plan.Out);
        Assert.Contains("Plan: 8 to add, 1 to change, 0 to replace, 0 to destroy.", plan.Out);

        var apply = Run(root, "Apply --env test");
        Assert.True(apply.ExitCode == 0, apply.All);
        var record = Assert.Single(zone.Published.Values);
        Assert.Equal(("A", "api", "203.0.113.10", DnsRecordResource.Ttl), (record.FieldType, record.SubDomain, record.Target, record.Ttl));
        var state = StateDocument.Parse(System.Text.Encoding.UTF8.GetString(emulator.Cloud.World.S3.Get("accoreboot-state-test", "test/state.json")!.Body), "state");
        Assert.Equal(record.Id, state.Slice<DnsRecordState>("dns-record.api.accoreboot.example")!.Id);

        emulator.Cloud.ClearRequests();
        Assert.Contains("No changes", Run(root, "Apply --env test").Out);
        Assert.Empty(emulator.Cloud.MutatingCloudCalls);

        // a new instance gets a new address: the record follows it
        File.WriteAllText(root.Combine(".nuke", "parameters.test.json"),
            File.ReadAllText(root.Combine(".nuke", "parameters.test.json")).Replace("\"Region\": \"GRA9\"", "\"Region\": \"GRA9\", \"Flavor\": \"b3-16\""));
        var replaced = Run(root, "Apply --env test --yes");
        Assert.True(replaced.ExitCode == 0, replaced.All);
        Assert.Contains("~ dns-record.api.accoreboot.example", replaced.Out);
        var moved = Assert.Single(zone.Published.Values);
        Assert.Equal((record.Id, "203.0.113.11"), (moved.Id, moved.Target));

        var down = Run(root, "Down --env test --yes");
        Assert.True(down.ExitCode == 0, down.All);
        Assert.Empty(zone.Published);
        Assert.True(emulator.Cloud.Violations.Count == 0, string.Join("\n", emulator.Cloud.Violations));
    }

    [Fact]
    public async Task A_zone_the_account_does_not_manage_is_one_line_naming_the_parameters()
    {
        await using var emulator = await Emulator.StartAsync(ProvisioningRepository.FastOptions);
        using var root = new TempDirectory();
        ProvisioningRepository.For(emulator.Cloud, ", \"Domain\": \"api.elsewhere.example\"")(root);
        var plan = Run(root, "Plan --env test");
        Assert.Equal(1, plan.ExitCode);
        Assert.Contains("The DNS zone elsewhere.example is not one this OVH account manages", plan.Error);
        Assert.Contains("ManageDns false", plan.Error);

        var outside = new TempDirectory();
        ProvisioningRepository.For(emulator.Cloud, ", \"Domain\": \"api.accoreboot.example\", \"DnsZone\": \"other.example\"")(outside);
        var refused = Run(outside, "Plan --env test");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("Domain api.accoreboot.example is not in the DNS zone other.example (DnsZone)", refused.Error);
    }
}
