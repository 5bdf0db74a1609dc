using AccoReboot.Cloud;
using AccoReboot.Infra.Resources;
using AccoReboot.State;

namespace AccoReboot.Infra;

/// <summary>What exists in the cloud for one environment, as read just now: each resource's live form, by address.</summary>
sealed class LiveSnapshot(IReadOnlyDictionary<string, object?> byAddress)
{
    public static LiveSnapshot Empty { get; } = new(new Dictionary<string, object?>());

    public T? Of<T>(ILiveOf<T> resource) where T : class => byAddress.GetValueOrDefault(resource.Address) as T;

    /// <summary>The same snapshot with <paramref name="resource"/> as <paramref name="live"/> (the specifications build theirs so).</summary>
    public LiveSnapshot With<T>(ILiveOf<T> resource, T? live) where T : class =>
        new(new Dictionary<string, object?>(byAddress) { [resource.Address] = live });
}

/// <summary>What a resource reads itself with: the APIs, the state as stored, and what its dependencies read.</summary>
sealed class ReadContext(CloudApis apis, StateDocument? state, Func<IResource, Task<object?>> readOf, CancellationToken cancellationToken)
{
    public CloudApis Apis { get; } = apis;
    public StateDocument? State { get; } = state;
    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>What <paramref name="dependency"/> is live (its read runs at the same time; this waits for it).</summary>
    public async Task<T?> LiveOf<T>(ILiveOf<T> dependency) where T : class => await readOf(dependency) as T;
}

/// <summary>What a resource's diff sees: the snapshot, and the changes planned for the resources before it.</summary>
sealed class PlanContext(LiveSnapshot live)
{
    private readonly Dictionary<string, ResourceChange> _changes = new();

    public LiveSnapshot Live { get; } = live;

    public ResourceChange ChangeOf(IResource earlier) =>
        _changes.TryGetValue(earlier.Address, out var change) ? change
            : throw new InvalidOperationException($"{earlier.Address} is planned after what depends on it: order EnvironmentResources.");

    public void Add(ResourceChange change) => _changes[change.Address] = change;
}
