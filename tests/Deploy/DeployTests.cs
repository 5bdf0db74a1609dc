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

        var second = await deployer.DeployAsync(host.Target(), host.Inputs(), default);
        Assert.False(second.Changed);
        Assert.Equal(first.Release, second.Release);
        Assert.Equal(containers, host.Containers());
        Assert.Contains($"{first.Release} no change", File.ReadAllText(Path.Combine(host.AppDirectory, "audit.log")));
        Assert.False(Directory.Exists(Path.Combine(host.AppDirectory, ".deploy-lock")));
    }
}
