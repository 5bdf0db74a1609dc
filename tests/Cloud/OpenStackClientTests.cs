using AccoReboot.Cloud.OpenStack;
using AccoReboot.Sandbox.Emulator;
using BuildEngine;
using Tests.Support;

namespace Tests.Cloud;

[Trait("Category", "Integration")]
public class OpenStackClientTests
{
    private const string PublicKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq1ZbXJg5TCR0uuE+YD0SbhprL6frwhcmE2pTbT6Q4H deploy@test";

    [Fact]
    public async Task A_server_is_created_with_our_security_group_and_becomes_active_with_an_ipv4()
    {
        await using var emulator = await Emulator.StartAsync();
        var client = emulator.OpenStack();
        var nova = new Nova(client);
        var neutron = new Neutron(client);
        var glance = new Glance(client);

        var flavor = (await nova.FlavorsAsync(default)).Single(f => f.Name == "b3-8");
        var image = await glance.NewestActiveAsync("Ubuntu 24.04", default);
        Assert.Equal(new DateTimeOffset(2026, 10, 14, 0, 0, 0, TimeSpan.Zero), image!.CreatedAt); // not the newer, deactivated one
        var network = await neutron.NetworkNamedAsync("Ext-Net", default);
        var group = await neutron.CreateSecurityGroupAsync("test-backend-sg", "AccoReboot test", default);
        await neutron.CreateRuleAsync(group.Id, new SecurityGroupRule(null, "ingress", "IPv4", "tcp", 22, 22, "203.0.113.0/24"), default);
        await nova.CreateKeypairAsync("test-deploy", PublicKey, default);
        var id = await nova.CreateServerAsync(new ServerCreation("test-backend", flavor.Id, image.Id, network!.Id, "test-deploy", "test-backend-sg",
            Convert.ToBase64String("#cloud-config\n"u8.ToArray()), new Dictionary<string, string> { ["managed-by"] = "accoreboot" }), default);

        Assert.Equal("BUILD", (await nova.ServerAsync(id, default))!.Status);
        await Task.Delay(400);
        var server = (await nova.ServersNamedAsync("test-backend", default)).Single();
        Assert.Equal("ACTIVE", server.Status);
        Assert.Equal("203.0.113.10", server.Ipv4);
        Assert.Equal(["test-backend-sg"], server.SecurityGroups);
        Assert.Equal("accoreboot", server.Metadata["managed-by"]);
        Assert.Contains("Cloud-init", await nova.ConsoleOutputAsync(id, default));
        Assert.True(emulator.Cloud.Violations.Count == 0, string.Join("\n", emulator.Cloud.Violations));
    }

    [Fact]
    public async Task Stop_and_start_change_the_status()
    {
        await using var emulator = await Emulator.StartAsync(new EmulatorOptions { ServerBuildDelay = TimeSpan.Zero, ServerPowerDelay = TimeSpan.Zero });
        var (nova, id) = await OneServerAsync(emulator);
        await nova.StopAsync(id, default);
        Assert.Equal("SHUTOFF", (await nova.ServerAsync(id, default))!.Status);
        await nova.StartAsync(id, default);
        Assert.Equal("ACTIVE", (await nova.ServerAsync(id, default))!.Status);
        await nova.DeleteServerAsync(id, default);
        await Task.Delay(300);
        Assert.Null(await nova.ServerAsync(id, default));
        Assert.True(emulator.Cloud.Violations.Count == 0, string.Join("\n", emulator.Cloud.Violations));
    }

    [Fact]
    public async Task The_name_filter_is_exact_even_though_nova_takes_a_regex()
    {
        await using var emulator = await Emulator.StartAsync(new EmulatorOptions { ServerBuildDelay = TimeSpan.Zero });
        var (nova, _) = await OneServerAsync(emulator, "test-backend-old");
        Assert.Empty(await nova.ServersNamedAsync("test-backend", default));
    }

    [Fact]
    public async Task An_expired_token_is_renewed_once()
    {
        await using var emulator = await Emulator.StartAsync();
        var nova = new Nova(emulator.OpenStack());
        Assert.NotEmpty(await nova.FlavorsAsync(default));
        emulator.Cloud.RevokeTokens();
        Assert.NotEmpty(await nova.FlavorsAsync(default));
        Assert.Equal(2, emulator.Cloud.Requests.Count(r => r.Service == "identity"));
    }

    [Fact]
    public async Task Wrong_credentials_say_which_values_to_check()
    {
        await using var emulator = await Emulator.StartAsync();
        var nova = new Nova(emulator.OpenStack(emulator.Keystone(password: "wrong")));
        var failure = await Assert.ThrowsAsync<BuildFailure>(() => nova.FlavorsAsync(default));
        Assert.Contains("check OS_USERNAME, OS_PASSWORD and OVH_PROJECT_ID", failure.Message);
    }

    [Fact]
    public async Task An_unknown_region_lists_the_regions_of_the_catalog()
    {
        await using var emulator = await Emulator.StartAsync();
        var nova = new Nova(emulator.OpenStack(emulator.Keystone(region: "GRA99")));
        var failure = await Assert.ThrowsAsync<BuildFailure>(() => nova.FlavorsAsync(default));
        Assert.Contains("Unknown region 'GRA99' for the OpenStack compute service: available regions are BHS5, GRA11, GRA9, SBG5.", failure.Message);
    }

    [Fact]
    public async Task A_quota_error_carries_novas_message()
    {
        await using var emulator = await Emulator.StartAsync(new EmulatorOptions { InstanceQuota = 0 });
        var failure = await Assert.ThrowsAsync<OpenStackApiException>(() => OneServerAsync(emulator));
        Assert.Contains("403 Forbidden: Quota exceeded for instances", failure.Message);
    }

    [Fact]
    public async Task A_deleted_security_group_in_use_is_refused()
    {
        await using var emulator = await Emulator.StartAsync(new EmulatorOptions { ServerBuildDelay = TimeSpan.Zero });
        await OneServerAsync(emulator);
        var neutron = new Neutron(emulator.OpenStack());
        var group = (await neutron.SecurityGroupsNamedAsync("sg", default)).Single();
        var failure = await Assert.ThrowsAsync<OpenStackApiException>(() => neutron.DeleteSecurityGroupAsync(group.Id, default));
        Assert.True(failure.IsConflict);
    }

    private static async Task<(Nova nova, string id)> OneServerAsync(Emulator emulator, string name = "test-backend")
    {
        var client = emulator.OpenStack();
        var nova = new Nova(client);
        var neutron = new Neutron(client);
        await neutron.CreateSecurityGroupAsync("sg", "", default);
        await nova.CreateKeypairAsync("key", PublicKey, default);
        var flavor = (await nova.FlavorsAsync(default)).First();
        var image = await new Glance(client).NewestActiveAsync("Debian 12", default);
        var network = await neutron.NetworkNamedAsync("Ext-Net", default);
        var id = await nova.CreateServerAsync(new ServerCreation(name, flavor.Id, image!.Id, network!.Id, "key", "sg", "", new Dictionary<string, string>()), default);
        return (nova, id);
    }
}
