using AccoReboot.Sandbox.Emulator;

namespace Tests.Sandbox;

public class ApplyTimelineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    private static TimelineEntry At(string kind, double start, double duration, params string[] after) =>
        new(kind, kind, T0.AddSeconds(start), T0.AddSeconds(start + duration), after);

    [Fact]
    public void The_critical_path_chains_what_waits_for_what_was_taken_before_it()
    {
        var entries = new[]
        {
            At("security-group", 0, 0.01), At("keypair", 0, 0.01),
            At("cluster", 0.03, 6),
            At("server", 0.1, 0.6, "security-group", "keypair"),
            At("user", 6.1, 0.3, "cluster", "database", "user"),
            At("database", 6.4, 0.8, "cluster", "database", "user"),
            At("database", 7.2, 0.7, "cluster", "database", "user"),
            At("ip-restriction", 8.0, 0.2, "cluster", "server", "database"),
        };
        // cluster, then the user and the two databases one after another (each waits for those before it), then the update
        Assert.Equal(6 + 0.3 + 0.8 + 0.7 + 0.2, ApplyTimeline.CriticalPath(entries).TotalSeconds, 6);

        // the same without the sandbox's one-at-a-time PostgreSQL: the longest of them after the cluster
        var parallel = entries.Select(e => e.Kind is "user" or "database" ? e with { After = ["cluster"] } : e).ToList();
        Assert.Equal(6 + 0.8 + 0.2, ApplyTimeline.CriticalPath(parallel).TotalSeconds, 6);
        Assert.Equal(TimeSpan.Zero, ApplyTimeline.CriticalPath([]));
    }
}
