using AccoReboot.Resilience;

namespace Tests.Resilience;

[Trait("Category", "Unit")]
public class ResilienceSpecifications
{
    private static readonly DateTimeOffset Kill = DateTimeOffset.Parse("2026-12-02T18:40:00.500Z");

    [Fact]
    public void Docker_inspects_lines_are_read_into_container_states()
    {
        var states = ContainerStates.Parse("""
            api running healthy 2026-12-02T18:40:03.123456700Z 1
            caddy running none 2026-12-02T18:30:00.1Z 0

            emqx restarting unhealthy 0001-01-01T00:00:00Z 4
            """);
        Assert.Equal(3, states.Count);
        Assert.Equal(new ContainerState("api", "running", "healthy", DateTimeOffset.Parse("2026-12-02T18:40:03.1234567Z"), 1), states[0]);
        Assert.True(states[1].Healthy); // no healthcheck: running is enough
        Assert.False(states[2].Healthy);
        Assert.Equal(Kill, ContainerStates.ParseClock("1796236800.500000000\n"));
    }

    [Fact]
    public void Back_means_every_service_healthy_and_started_after_the_event()
    {
        var before = ContainerStates.Parse("api running healthy 2026-12-02T18:30:00Z 0\ncaddy running healthy 2026-12-02T18:30:00Z 0");
        Assert.True(ContainerStates.AllBackSince(before, ["api", "caddy"], DateTimeOffset.MinValue));
        // the same containers, not restarted since the kill: not back yet (a poll that came too early)
        Assert.False(ContainerStates.AllBackSince(before, ["api"], Kill));
        var restarting = ContainerStates.Parse("api running starting 2026-12-02T18:40:02Z 1\ncaddy running healthy 2026-12-02T18:30:00Z 0");
        Assert.False(ContainerStates.AllBackSince(restarting, ["api"], Kill));
        var back = ContainerStates.Parse("api running healthy 2026-12-02T18:40:02Z 1\ncaddy running healthy 2026-12-02T18:30:00Z 0");
        Assert.True(ContainerStates.AllBackSince(back, ["api"], Kill));
        Assert.False(ContainerStates.AllBackSince(back, ["api", "powersync"], DateTimeOffset.MinValue)); // a missing service is not back
    }

    [Fact]
    public void A_crash_is_a_SIGKILL_from_the_hosts_process_namespace_not_docker_kill()
    {
        var command = ContainerStates.Crash("accoreboot", "emqx");
        Assert.Contains("--filter label=com.docker.compose.service=emqx", command);
        Assert.Contains("docker run --rm --pid=host --user 0:0 --pull never --entrypoint sh \"$image\" -c \"kill -9 $pid\"", command);
        Assert.DoesNotContain("docker kill", command); // a container stopped by docker kill is not restarted by its policy
        Assert.Contains("exit 3", command);
    }

    [Fact]
    public void The_report_lists_each_check_against_its_budget()
    {
        var report = new ResilienceReport("crash", "sandbox", DateTimeOffset.Parse("2026-12-02T18:40:00Z"));
        report.Add("api killed", TimeSpan.FromSeconds(4.25), ResilienceChecks.CrashBudget, true);
        report.Add("a | b", null, null, true);
        Assert.True(report.Passed);
        var markdown = report.Markdown();
        Assert.Contains("# Resilience: crash of sandbox", markdown);
        Assert.Contains("`./build.sh ResilienceCrash --env sandbox`: **every check met**", markdown);
        Assert.Contains("| api killed | 4.3 s | 30.0 s | met |", markdown);
        Assert.Contains("| a \\| b |  |  | met |", markdown);
        report.Add("emqx killed", TimeSpan.FromSeconds(61), ResilienceChecks.CrashBudget, false);
        Assert.False(report.Passed);
        Assert.Equal(1, report.Failures);
        Assert.Contains("| emqx killed | 61.0 s | 30.0 s | **not met** |", report.Markdown());
        Assert.Contains("FAIL", report.Lines().Last());
        Assert.False(new ResilienceReport("reboot", "sandbox", DateTimeOffset.UnixEpoch).Passed); // nothing checked is not a pass
    }
}
