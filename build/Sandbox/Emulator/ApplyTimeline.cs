using System.Text.Json.Nodes;

namespace AccoReboot.Sandbox.Emulator;

/// <summary>One resource's creation as the emulated cloud saw it: from the request to ready, and what it waited for.</summary>
sealed record TimelineEntry(string Kind, string Name, DateTimeOffset Started, DateTimeOffset Finished, IReadOnlyList<string> After)
{
    public TimeSpan Duration => Finished - Started;
}

/// <summary>
/// When each resource the emulator serves started and finished being created (READY, ACTIVE, or the request's own
/// end where the real PostgreSQL does the work), and what it waits for among those taken before it: a database or a
/// user needs its cluster ready, and in the sandbox the one before it (PostgreSQL copies template1 for one CREATE
/// DATABASE at a time: PostgreSQL 17 documentation, CREATE DATABASE, Notes); the IP restriction the cluster, the
/// instance's address and the databases (OVH refuses a database while the cluster is UPDATING); the instance its
/// security group and key pair. Its critical path is the least any Apply can take; bench/apply compares the build's wall time with it.
/// </summary>
sealed class ApplyTimeline
{
    private readonly List<TimelineEntry> _entries = [];

    public void Add(TimelineEntry entry)
    {
        lock (_entries) _entries.Add(entry);
    }

    public void Clear()
    {
        lock (_entries) _entries.Clear();
    }

    public IReadOnlyList<TimelineEntry> Entries
    {
        get { lock (_entries) return _entries.ToList(); }
    }

    /// <summary>
    /// The longest chain of waits: each entry's duration after the latest finish among the entries of the kinds it
    /// waits for that the cloud took before it (so the chain has no cycle).
    /// </summary>
    public static TimeSpan CriticalPath(IReadOnlyList<TimelineEntry> entries)
    {
        var ordered = entries.OrderBy(e => e.Started).ToList(); // stable: entries taken at the same instant keep their order
        var finish = new TimeSpan[ordered.Count];
        for (var i = 0; i < ordered.Count; i++)
        {
            var before = TimeSpan.Zero;
            for (var j = 0; j < i; j++)
                if (ordered[i].After.Contains(ordered[j].Kind) && finish[j] > before) before = finish[j];
            finish[i] = before + ordered[i].Duration;
        }
        return finish.DefaultIfEmpty(TimeSpan.Zero).Max();
    }

    public JsonObject ToJson()
    {
        var entries = Entries;
        var first = entries.Count == 0 ? DateTimeOffset.MinValue : entries.Min(e => e.Started);
        return new JsonObject
        {
            ["critical_path_s"] = CriticalPath(entries).TotalSeconds,
            ["longest_wait_s"] = entries.Count == 0 ? 0 : entries.Max(e => e.Duration.TotalSeconds),
            ["span_s"] = entries.Count == 0 ? 0 : (entries.Max(e => e.Finished) - first).TotalSeconds,
            ["first_unix_ms"] = entries.Count == 0 ? 0 : first.ToUnixTimeMilliseconds(),
            ["last_unix_ms"] = entries.Count == 0 ? 0 : entries.Max(e => e.Finished).ToUnixTimeMilliseconds(),
            ["entries"] = new JsonArray(entries.OrderBy(e => e.Started).Select(e => (JsonNode)new JsonObject
            {
                ["kind"] = e.Kind, ["name"] = e.Name,
                ["start_s"] = (e.Started - first).TotalSeconds, ["duration_s"] = e.Duration.TotalSeconds,
                ["after"] = new JsonArray(e.After.Select(a => (JsonNode)JsonValue.Create(a)!).ToArray()),
            }).ToArray()),
        };
    }
}
