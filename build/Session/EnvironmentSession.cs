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

    public static EnvironmentSession Open(CloudLocation location, CommonCredentials common, EnvironmentCredentials environment, TimeProvider clock)
    {
        var ovh = new OvhClient(Http, OvhEndpoints.Resolve(location.OvhEndpoint),
            new OvhCredentials(common.OvhApplicationKey, common.OvhApplicationSecret, common.OvhConsumerKey), clock, location.Retry);
        var keystone = new Keystone(Http, new Uri(location.IdentityUrl),
            new OpenStackCredentials(environment.OpenStackUsername, environment.OpenStackPassword, environment.OvhProjectId), location.Region, clock, location.Retry);
        var openStack = new OpenStackClient(Http, keystone, location.Retry);
        var apis = new CloudApis(new OvhCloudApi(ovh, environment.OvhProjectId), new Nova(openStack), new Neutron(openStack), new Glance(openStack), new OvhDomainApi(ovh));
        return new EnvironmentSession(apis, OpenState(location, common, clock), clock);
    }

    /// <summary>The session, its state store's SDK set up on another thread while both credentials files are decrypted.</summary>
    public static async Task<EnvironmentSession> OpenAsync(CloudLocation location, Task<CommonCredentials> common, Task<EnvironmentCredentials> environment, TimeProvider clock)
    {
        var prepared = S3StateStore.PrepareAsync(StateLocationOf(location));
        var session = Open(location, await common, await environment, clock);
        await prepared;
        return session;
    }

    public static S3StateStore OpenState(CloudLocation location, CommonCredentials common, TimeProvider clock)
    {
        var where = StateLocationOf(location);
        return new S3StateStore(S3StateStore.Client(where, common.S3AccessKey, common.S3SecretKey, location.Retry), where, clock, location.Retry);
    }

    /// <summary>The state store alone (a read-only look), its SDK set up while the credentials are decrypted.</summary>
    public static async Task<S3StateStore> OpenStateAsync(CloudLocation location, Func<Task<CommonCredentials>> common, TimeProvider clock)
    {
        var prepared = S3StateStore.PrepareAsync(StateLocationOf(location));
        var credentials = await common();
        await prepared;
        return OpenState(location, credentials, clock);
    }

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
    /// The same with a lock asked for earlier (<see cref="S3StateStore.AcquireLockAsync"/>), so that its round trip
    /// overlaps what the run prepares meanwhile; the state is read once the lock is held, never before.
    /// </summary>
    public async Task UnderLockAsync(Task<HeldLock> acquiring, Func<StoredState?, Task> run, CancellationToken ct)
    {
        var held = await acquiring;
        try
        {
            await run(await State.ReadAsync(ct));
        }
        finally
        {
            await State.ReleaseLockAsync(held, CancellationToken.None);
        }
    }

    /// <summary>A lock asked for early is given back when the run fails before it uses it (its own failure, if any, is the lesser one).</summary>
    public async Task AbandonAsync(Task<HeldLock> acquiring)
    {
        try
        {
            await State.ReleaseLockAsync(await acquiring, CancellationToken.None);
        }
        catch (Exception e) when (e is BuildFailure or OperationCanceledException)
        {
        }
    }
}
