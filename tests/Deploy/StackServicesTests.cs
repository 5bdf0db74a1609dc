using AccoReboot.Deploy;

namespace Tests.Deploy;

public class StackServicesTests
{
    [Fact]
    public void Docker_ps_lines_give_the_health_from_their_status_and_compose_lines_their_own()
    {
        var dockerPs = string.Join('\n',
            """{"Service":"api","State":"running","Image":"r/api:1","Status":"Up 2 minutes (healthy)"}""",
            """{"Service":"caddy","State":"running","Image":"caddy","Status":"Up 2 minutes"}""",
            """{"Service":"emqx","State":"running","Image":"emqx","Status":"Up 3 seconds (health: starting)"}""",
            """{"Service":"powersync","State":"running","Image":"ps","Status":"Up 2 minutes (unhealthy)"}""");
        var services = StackServices.Parse(dockerPs);
        Assert.Equal(["healthy", "", "starting", "unhealthy"], services.Select(s => s.Health));
        Assert.False(StackServices.AllUp(services));

        var healthy = StackServices.Parse(dockerPs.Replace("(health: starting)", "(healthy)").Replace("(unhealthy)", "(healthy)"));
        Assert.True(StackServices.AllUp(healthy));

        // compose ps says the health itself, and an exited container with an old healthy status is not up
        var compose = StackServices.Parse("""{"Service":"api","State":"exited","Health":"","Image":"r/api:1","Status":"Exited (1) (healthy)"}""");
        Assert.Equal("", compose.Single().Health);
        Assert.False(compose.Single().IsUp);
    }
}
