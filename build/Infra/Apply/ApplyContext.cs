using System.Collections.Concurrent;
using AccoReboot.Cloud.OpenStack;
using AccoReboot.Cloud.Ovh;
using AccoReboot.State;

namespace AccoReboot.Infra.Apply;

/// <summary>The cloud APIs of one environment.</summary>
sealed record CloudApis(OvhCloudApi Ovh, Nova Nova, Neutron Neutron, Glance Glance);

/// <summary>How often to look at something that takes time, and for how long at most.</summary>
sealed record PollSettings(TimeSpan Interval, TimeSpan ClusterTimeout, TimeSpan ServerTimeout)
{
    public static PollSettings Default { get; } = new(TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(40), TimeSpan.FromMinutes(30));
}

/// <summary>What a resource needs to create, update or delete itself.</summary>
sealed class ApplyContext
{
    public required CloudApis Apis { get; init; }
    public required DesiredEnvironment Desired { get; init; }
    public required LiveSnapshot Live { get; init; }
    public required StateRecorder State { get; init; }
    public required PollSettings Polling { get; init; }
    public required Func<string, Task<string>> SealSecret { get; init; }
    public required CancellationToken CancellationToken { get; init; }

    /// <summary>Values produced by earlier steps (ids, the instance IPv4), seeded from what already exists.</summary>
    public ConcurrentDictionary<string, string> Outputs { get; } = new();

    /// <summary>Reports what a resource is waiting for (a status, a retry), for the live progress.</summary>
    public Action<string, string> Report { get; init; } = (_, _) => { };

    public Poller Poller => new(Polling.Interval, CancellationToken);
}
