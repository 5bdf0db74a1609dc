using AccoReboot.Infra.Apply;
using AccoReboot.State;

namespace AccoReboot.Infra.Resources;

/// <summary>
/// One cloud resource as the planner, the live reader, the executor and the state see it, whatever its kind.
/// Implemented by <see cref="Resource{TLive,TState}"/>: a new kind of resource is one subclass in one file, and one
/// line in <see cref="EnvironmentResources"/>.
/// </summary>
interface IResource
{
    string Kind { get; }
    string Name { get; }
    string Address => $"{Kind}.{Name}";

    /// <summary>What must be applied first (and, in a destroy, destroyed after).</summary>
    IReadOnlyList<IResource> DependsOn { get; }

    /// <summary>Starts the reads that do not depend on the state (catalogs, offers), before the state lock is taken.</summary>
    Task PrepareAsync(Cloud.CloudApis apis, CancellationToken ct);

    Task<object?> ReadLiveAsync(ReadContext context);
    ResourceChange Diff(PlanContext plan);
    ResourceChange DestroyChange(LiveSnapshot live, bool destroyData);
    Task ApplyAsync(ResourceChange change, ApplyContext context);
    Task DestroyAsync(ApplyContext context);

    /// <summary>The state with this resource's slice made to match what is live (a run that stopped before recording).</summary>
    StateDocument Reconcile(StateDocument state, LiveSnapshot live);

    /// <summary>What this resource gives to the outputs, from its slice of the state.</summary>
    EnvironmentOutputs Export(StateDocument state, EnvironmentOutputs outputs);
}

/// <summary>A resource whose live form is <typeparamref name="TLive"/>: what others read of it, typed.</summary>
interface ILiveOf<out TLive> : IResource where TLive : class;

/// <summary>
/// A resource, Terraform-provider style: <typeparamref name="TLive"/> is what it is in the cloud (null: absent),
/// <typeparamref name="TState"/> its slice of the state. It reads itself (by the recorded id, else by name), compares
/// (pure), creates, updates and deletes itself; the base records the state after each step and keeps what it is
/// now for the resources that depend on it.
/// </summary>
abstract class Resource<TLive, TState> : ILiveOf<TLive> where TLive : class where TState : class
{
    public abstract string Kind { get; }
    public abstract string Name { get; }
    public string Address => $"{Kind}.{Name}";
    public virtual IReadOnlyList<IResource> DependsOn => [];

    /// <summary>Reads it live: by the id <paramref name="recorded"/> holds when there is one, else by name.</summary>
    protected abstract Task<TLive?> ReadAsync(TState? recorded, ReadContext context);

    /// <summary>What would change to make it as desired: pure, from what is live and the changes planned before it.</summary>
    protected abstract ResourceChange Diff(TLive? live, PlanContext plan);

    /// <summary>Carries <paramref name="change"/> out; returns what it is afterwards.</summary>
    protected abstract Task<TLive> ApplyAsync(ResourceChange change, TLive? live, ApplyContext context);

    /// <summary>The slice of the state for what is live (null: nothing to record).</summary>
    protected abstract TState? Record(TLive? live, TState? recorded);

    protected virtual ResourceChange DestroyChange(TLive? live, bool destroyData) =>
        live == null ? None() : new(Kind, Name, ChangeAction.Delete, []);

    protected virtual Task DestroyAsync(TLive live, ApplyContext context) => Task.CompletedTask;

    protected virtual EnvironmentOutputs Export(TState recorded, EnvironmentOutputs outputs) => outputs;

    protected ResourceChange None(string? note = null) => ResourceChange.None(Kind, Name, note);

    /// <summary>Reads that need no state (catalogs, offers): started by the run before it takes the lock; ReadAsync awaits them.</summary>
    public virtual Task PrepareAsync(Cloud.CloudApis apis, CancellationToken ct) => Task.CompletedTask;

    /// <summary>Records what it is now, in the state (at once) and for the resources applied after it.</summary>
    protected async Task RecordAsync(ApplyContext context, TLive? live)
    {
        context.SetCurrent(this, live);
        await context.State.UpdateAsync(s => s.WithSlice(Address, Record(live, s.Slice<TState>(Address))));
    }

    /// <summary>Records a slice before the resource is complete (an id known, the resource still building).</summary>
    protected Task RecordSliceAsync(ApplyContext context, TState slice) => context.State.UpdateAsync(s => s.WithSlice(Address, slice));

    /// <summary>
    /// Creates, or, when the create's answer was lost or an error although it may have happened (OVH answers 500 to
    /// creates that did happen; a retried create meets 409), takes the one that exists by name rather than make a
    /// second one.
    /// </summary>
    protected static async Task<T> CreateOrAdoptAsync<T>(string what, Func<Task<T>> create, Func<Task<T?>> findByName) where T : class
    {
        try
        {
            return await create();
        }
        catch (Exception e) when (AdoptionFailure.MayHaveCreated(e))
        {
            return await findByName() ?? throw AdoptionFailure.Of(e, what);
        }
    }

    /// <summary>The one resource of this name, if any: several are an error for a person to solve (which one is ours?).</summary>
    protected T? TheOneNamed<T>(IReadOnlyList<T> named, Func<T, string> id, string kinds) where T : class =>
        named.Count <= 1
            ? named.SingleOrDefault()
            : throw new BuildEngine.BuildFailure($"{named.Count} {kinds} are named {Name} ({string.Join(", ", named.Select(id))}): delete the extra ones, then run again.");

    async Task<object?> IResource.ReadLiveAsync(ReadContext context) => await ReadAsync(context.State?.Slice<TState>(Address), context);

    ResourceChange IResource.Diff(PlanContext plan) => Diff(plan.Live.Of(this), plan);

    ResourceChange IResource.DestroyChange(LiveSnapshot live, bool destroyData) => DestroyChange(live.Of(this), destroyData);

    async Task IResource.ApplyAsync(ResourceChange change, ApplyContext context) =>
        await RecordAsync(context, await ApplyAsync(change, context.Current(this), context));

    async Task IResource.DestroyAsync(ApplyContext context)
    {
        if (context.Current(this) is { } live) await DestroyAsync(live, context);
        await RecordAsync(context, null);
    }

    StateDocument IResource.Reconcile(StateDocument state, LiveSnapshot live) => state.WithSlice(Address, Record(live.Of(this), state.Slice<TState>(Address)));

    EnvironmentOutputs IResource.Export(StateDocument state, EnvironmentOutputs outputs) =>
        state.Slice<TState>(Address) is { } recorded ? Export(recorded, outputs) : outputs;
}
