using AccoReboot.Cloud;
using AccoReboot.Cloud.Http;
using AccoReboot.Cloud.OpenStack;
using AccoReboot.Cloud.Ovh;
using AccoReboot.Secrets;
using AccoReboot.State;
using BuildEngine;

namespace AccoReboot.Session;

/// <summary>Where an environment's cloud and state are, and how patiently to call them.</summary>
sealed record CloudLocation(
    string Environment,
    string OvhEndpoint,
    string IdentityUrl,
    string Region,
    string StateBucket,
    string StateRegion,
    string? S3Endpoint,
    RetrySettings Retry);

/// <summary>
/// One environment's cloud clients and state store: what Infra (Apply, Down…) and Deploy (Deploy, Rollback…) share.
/// A run that changes the environment holds the state lock through <see cref="UnderLockAsync"/>.
/// </summary>
sealed class EnvironmentSession(CloudApis apis, S3StateStore state, TimeProvider clock)
{
    private static HttpClient Http => HttpRetry.SharedClient;

    public CloudApis Apis { get; } = apis;
    public S3StateStore State { get; } = state;
    public TimeProvider Clock { get; } = clock;

    private static EnvironmentSession Open(CloudLocation location, CommonCredentials common, EnvironmentCredentials environment, S3StateStore state, TimeProvider clock)
    {
        var ovh = new OvhClient(Http, OvhEndpoints.Resolve(location.OvhEndpoint),
            new OvhCredentials(common.OvhApplicationKey, common.OvhApplicationSecret, common.OvhConsumerKey), clock, location.Retry);
        var keystone = new Keystone(Http, new Uri(location.IdentityUrl),
            new OpenStackCredentials(environment.OpenStackUsername, environment.OpenStackPassword, environment.OvhProjectId), location.Region, clock, location.Retry);
        var openStack = new OpenStackClient(Http, keystone, location.Retry);
        var apis = new CloudApis(new OvhCloudApi(ovh, environment.OvhProjectId), new Nova(openStack), new Neutron(openStack), new Glance(openStack), new OvhDomainApi(ovh));
        return new EnvironmentSession(apis, state, clock);
    }

    /// <summary>
    /// The session once both credentials files are decrypted, around <paramref name="state"/> (made beforehand by
    /// <see cref="OpenState(CloudLocation, Task{CommonCredentials}, TimeProvider)"/>, so that its first requests can be on their way already).
    /// </summary>
    public static async Task<EnvironmentSession> OpenAsync(CloudLocation location, Task<CommonCredentials> common, Task<EnvironmentCredentials> environment,
        S3StateStore state, TimeProvider clock) =>
        Open(location, await common, await environment, state, clock);

    public static S3StateStore OpenState(CloudLocation location, CommonCredentials common, TimeProvider clock) =>
        OpenState(location, Task.FromResult(common), clock);

    /// <summary>
    /// The state store at once, its keys still being decrypted: its first request is marshalled meanwhile and
    /// signed when they are ready (<see cref="DeferredS3Credentials"/>).
    /// </summary>
    public static S3StateStore OpenState(CloudLocation location, Task<CommonCredentials> common, TimeProvider clock)
    {
        var where = StateLocationOf(location);
        var keys = new DeferredS3Credentials(KeysOf(common));
        return new S3StateStore(S3StateStore.Client(where, keys, location.Retry), where, clock, location.Retry);
    }

    private static async Task<(string, string)> KeysOf(Task<CommonCredentials> common)
    {
        var credentials = await common;
        return (credentials.S3AccessKey, credentials.S3SecretKey);
    }

    /// <summary>The state store alone (a read-only look); its keys are decrypted while its first request is prepared.</summary>
    public static Task<S3StateStore> OpenStateAsync(CloudLocation location, Func<Task<CommonCredentials>> common, TimeProvider clock) =>
        Task.FromResult(OpenState(location, common(), clock));

    private static StateLocation StateLocationOf(CloudLocation location) =>
        new(location.S3Endpoint != null ? new Uri(location.S3Endpoint) : StateLocation.OvhEndpoint(location.StateRegion),
            location.StateRegion, location.StateBucket, location.Environment);

    /// <summary>
    /// Runs <paramref name="run"/> with the state lock held and the state read under it; the lock is released
    /// whatever happens (a cancelled run too: the release does not take the run's token).
    /// </summary>
    public async Task<T> UnderLockAsync<T>(string operation, string who, bool forceUnlock, Func<StoredState?, Task<T>> run, CancellationToken ct)
    {
        var held = await State.AcquireLockAsync(operation, who, forceUnlock, ct);
        try
        {
            return await run(await State.ReadAsync(ct));
        }
        finally
        {
            await State.ReleaseLockAsync(held, CancellationToken.None);
        }
    }

    public Task UnderLockAsync(string operation, string who, bool forceUnlock, Func<StoredState?, Task> run, CancellationToken ct) =>
        UnderLockAsync(operation, who, forceUnlock, async stored => { await run(stored); return true; }, ct);

    /// <summary>
    /// Asks for the lock and reads the state once it is held (never before), on another thread from now: the SDK
    /// prepares each request on its caller's thread (tens of milliseconds the first time), and the round trips
    /// overlap what the run prepares meanwhile. Hand the task to <see cref="UnderLockAsync(Task{LockedState}, Func{StoredState?, Task})"/>,
    /// or to <see cref="AbandonAsync"/> when the run fails before.
    /// </summary>
    public static Task<LockedState> LockAsync(S3StateStore state, string operation, string who, bool forceUnlock, CancellationToken ct) => Task.Run(async () =>
    {
        var held = await state.AcquireLockAsync(operation, who, forceUnlock, ct);
        try
        {
            return new LockedState(held, await state.ReadAsync(ct));
        }
        catch
        {
            await state.ReleaseLockAsync(held, CancellationToken.None);
            throw;
        }
    }, ct);

    /// <summary>Runs <paramref name="run"/> on the state a <see cref="LockAsync"/> read, then releases that lock whatever happens.</summary>
    public async Task UnderLockAsync(Task<LockedState> locking, Func<StoredState?, Task> run)
    {
        var locked = await locking;
        try
        {
            await run(locked.Stored);
        }
        finally
        {
            await State.ReleaseLockAsync(locked.Held, CancellationToken.None);
        }
    }

    /// <summary>A lock asked for early is given back when the run fails before it uses it (its own failure, if any, is the lesser one).</summary>
    public static async Task AbandonAsync(S3StateStore state, Task<LockedState> locking)
    {
        try
        {
            await state.ReleaseLockAsync((await locking).Held, CancellationToken.None);
        }
        catch (Exception e) when (e is BuildFailure or OperationCanceledException)
        {
        }
    }
}

/// <summary>A held state lock and the state read under it.</summary>
sealed record LockedState(HeldLock Held, StoredState? Stored);
