using System.Collections.Concurrent;
using AccoReboot.Cloud;
using AccoReboot.Infra.Resources;
using AccoReboot.State;

namespace AccoReboot.Infra.Apply;

/// <summary>What a resource needs to create, update or delete itself.</summary>
sealed class ApplyContext
{
    public required CloudApis Apis { get; init; }
    public required LiveSnapshot Live { get; init; }
    public required StateRecorder State { get; init; }
    public required PollSettings Polling { get; init; }
    public required Func<string, Task<string>> SealSecret { get; init; }
    public required TimeProvider Clock { get; init; }
    public required CancellationToken CancellationToken { get; init; }

    /// <summary>Reports what a resource is waiting for (a status, a retry), for the live progress.</summary>
    public Action<IResource, string> Report { get; init; } = (_, _) => { };

    // what each resource is now: as read, then as applying it left it
    private readonly ConcurrentDictionary<string, object?> _current = new();

    /// <summary>What <paramref name="resource"/> is now, for the resources that use it (typed: its id, its address).</summary>
    public T? Current<T>(ILiveOf<T> resource) where T : class =>
        _current.TryGetValue(resource.Address, out var now) ? now as T : Live.Of(resource);

    public void SetCurrent<T>(ILiveOf<T> resource, T? live) where T : class => _current[resource.Address] = live;

    public Poller Poller => new(Polling.Interval, Clock, CancellationToken);
}
