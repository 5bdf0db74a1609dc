using System.Net;
using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using AccoReboot.Cloud.Http;
using BuildEngine;

namespace AccoReboot.State;

/// <summary>Where the state lives and how to reach it.</summary>
sealed record StateLocation(Uri Endpoint, string Region, string Bucket, string Environment)
{
    public string StateKey => $"{Environment}/state.json";
    public string LockKey => $"{Environment}/state.lock";

    /// <summary>OVH Object Storage: https://s3.&lt;region&gt;.io.cloud.ovh.net (region lower case).</summary>
    public static Uri OvhEndpoint(string region) => new($"https://s3.{region.ToLowerInvariant()}.io.cloud.ovh.net");
}

/// <summary>A state document as read, with the ETag a write must match.</summary>
sealed record StoredState(StateDocument Document, string? ETag);

/// <summary>A held lock: its ETag, so that releasing it cannot delete someone else's.</summary>
sealed record HeldLock(StateLockInfo Info, string ETag);

/// <summary>
/// The state of one environment in S3: read, written with If-Match (no lost update), guarded by a lock object
/// created with If-None-Match: * (conditional writes as OVH documents them). Bodies are sent in one piece:
/// over plain http AWSSDK v4 would otherwise use aws-chunked framing, which some stores keep verbatim.
/// </summary>
sealed class S3StateStore(IAmazonS3 s3, StateLocation location, TimeProvider clock, RetrySettings? retry = null)
{
    private readonly RetrySettings _retry = retry ?? new RetrySettings();

    public StateLocation Location => location;

    /// <summary>The bucket's S3 client, for what else the environment keeps there (its backups).</summary>
    public IAmazonS3 S3 => s3;

    public static IAmazonS3 Client(StateLocation location, string accessKey, string secretKey, RetrySettings? retry = null) =>
        Client(location, new BasicAWSCredentials(accessKey, secretKey), retry);

    public static IAmazonS3 Client(StateLocation location, AWSCredentials credentials, RetrySettings? retry = null) =>
        new AmazonS3Client(credentials, new AmazonS3Config
        {
            ServiceURL = location.Endpoint.AbsoluteUri,
            AuthenticationRegion = location.Region.ToLowerInvariant(),
            ForcePathStyle = true,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            // the same deadlines as the other cloud calls: an attempt, then the whole call (Reach)
            MaxErrorRetry = 2,
            Timeout = (retry ?? new RetrySettings()).AttemptTimeout,
        });

    /// <summary>
    /// One S3 call within the deadline of any cloud call; no answer at all (connection refused or reset, DNS, TLS,
    /// timeout, an answer that is not S3's) is one clear line naming the endpoint, like any other cloud call.
    /// </summary>
    private async Task<T> Reach<T>(string call, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_retry.CallTimeout, clock);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var started = clock.GetTimestamp();
        try
        {
            return await work(deadline.Token);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && Unreachable(e) is { } what)
        {
            throw new CloudUnreachableException($"S3 {call} (bucket {location.Bucket})", location.Endpoint, what, 0, clock.GetElapsedTime(started), idempotent: true, e);
        }
    }

    private string? Unreachable(Exception e) => e switch
    {
        OperationCanceledException or TimeoutException => $"no answer within {_retry.CallTimeout.TotalSeconds:0.#} s",
        // AWSSDK wraps what went wrong on the wire; an answer it cannot read (HTML, garbage) is not S3's
        AmazonS3Exception { StatusCode: HttpStatusCode.OK or 0 } x when x.InnerException is System.Xml.XmlException or null => "an answer that is not S3's XML",
        AmazonServiceException { InnerException: { } inner } when inner is not AmazonServiceException => Unreachable(inner),
        System.Xml.XmlException or AmazonUnmarshallingException => "an answer that is not S3's XML",
        System.Text.Json.JsonException => "an answer that is not a state document",
        _ => CloudUnreachableException.Describe(e, _retry),
    };

    public Task<bool> BucketExistsAsync(CancellationToken ct) => Reach("GET (list)", BucketExistsCoreAsync, ct);
    public Task<StoredState?> ReadAsync(CancellationToken ct) => Reach($"GET {location.StateKey}", ReadCoreAsync, ct);
    public Task<string> WriteAsync(StateDocument document, string? expectedETag, CancellationToken ct) => Reach($"PUT {location.StateKey}", token => WriteCoreAsync(document, expectedETag, token), ct);
    public Task DeleteStateAsync(CancellationToken ct) => Reach($"DELETE {location.StateKey}", async token => { await DeleteStateCoreAsync(token); return true; }, ct);
    public Task<HeldLock> AcquireLockAsync(string operation, string who, bool force, CancellationToken ct) => Reach($"PUT {location.LockKey}", token => AcquireLockCoreAsync(operation, who, force, token), ct);
    public Task ReleaseLockAsync(HeldLock held, CancellationToken ct) => Reach($"DELETE {location.LockKey}", async token => { await ReleaseLockCoreAsync(held, token); return true; }, ct);
    public async Task<StateLockInfo?> CurrentLockAsync(CancellationToken ct) => (await Reach($"GET {location.LockKey}", ReadLockAsync, ct)).info;

    private async Task<bool> BucketExistsCoreAsync(CancellationToken ct)
    {
        try
        {
            await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = location.Bucket, MaxKeys = 1 }, ct);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
        catch (AmazonS3Exception e)
        {
            throw Failure("check the state bucket", e);
        }
    }

    private async Task<StoredState?> ReadCoreAsync(CancellationToken ct)
    {
        try
        {
            using var response = await s3.GetObjectAsync(new GetObjectRequest { BucketName = location.Bucket, Key = location.StateKey }, ct);
            if (response.Headers.ContentType is { } type && type.StartsWith("text/html", StringComparison.OrdinalIgnoreCase))
                throw new BuildFailure($"S3 GET {location.StateKey}: {Endpoint} answered an HTML page, not the state object: check S3Endpoint in the profile (a proxy or a wrong URL answers like this).");
            using var reader = new StreamReader(response.ResponseStream, Encoding.UTF8);
            var text = await reader.ReadToEndAsync(ct);
            return new StoredState(StateDocument.Parse(text, $"{Where(location.StateKey)} (from {Endpoint})"), response.ETag);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket")
        {
            return null;
        }
        catch (AmazonS3Exception e)
        {
            throw Failure("read the state", e);
        }
    }

    /// <summary>Writes the state if it is still the version read (or absent, for the first write); returns the new ETag.</summary>
    private async Task<string> WriteCoreAsync(StateDocument document, string? expectedETag, CancellationToken ct)
    {
        var request = new PutObjectRequest
        {
            BucketName = location.Bucket,
            Key = location.StateKey,
            ContentBody = document.Serialize(),
            ContentType = "application/json",
            UseChunkEncoding = false,
        };
        if (expectedETag == null) request.IfNoneMatch = "*";
        else request.IfMatch = expectedETag;
        try
        {
            return (await s3.PutObjectAsync(request, ct)).ETag;
        }
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict)
        {
            throw new BuildFailure($"{Where(location.StateKey)} changed since this run read it (someone else wrote it: is the lock bypassed?). Nothing was overwritten; run again.");
        }
        catch (AmazonS3Exception e)
        {
            throw Failure("write the state", e);
        }
    }

    private async Task DeleteStateCoreAsync(CancellationToken ct)
    {
        try
        {
            await s3.DeleteObjectAsync(location.Bucket, location.StateKey, ct);
        }
        catch (AmazonS3Exception e)
        {
            throw Failure("delete the state", e);
        }
    }

    /// <summary>
    /// Takes the lock. A lock left by a process of this host that no longer runs is taken over (it crashed);
    /// any other held lock is an error naming its holder, unless <paramref name="force"/>.
    /// </summary>
    private async Task<HeldLock> AcquireLockCoreAsync(string operation, string who, bool force, CancellationToken ct)
    {
        var info = new StateLockInfo(Guid.NewGuid().ToString("N"), who, System.Net.Dns.GetHostName(), Environment.ProcessId, operation, clock.GetUtcNow());
        for (var attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                var response = await s3.PutObjectAsync(new PutObjectRequest
                {
                    BucketName = location.Bucket,
                    Key = location.LockKey,
                    ContentBody = info.Serialize(),
                    ContentType = "application/json",
                    IfNoneMatch = "*",
                    UseChunkEncoding = false,
                }, ct);
                return new HeldLock(info, response.ETag);
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.Conflict)
            {
                // another writer raced us on the lock key: look again
                await Task.Delay(TimeSpan.FromMilliseconds(50 * (attempt + 1)), clock, ct);
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
            {
                var (holder, etag) = await ReadLockAsync(ct);
                if (holder == null) continue; // released meanwhile
                var stale = holder.Host == info.Host && !IsRunning(holder.Pid);
                if (!stale && !force)
                    throw new BuildFailure($"The state of {location.Environment} is locked by {holder.Describe(clock.GetUtcNow())}. " +
                                           $"Wait for that run, or if it is dead: ./build.sh {operation} --env {location.Environment} --force-unlock");
                await DeleteLockAsync(etag, ct);
            }
            catch (AmazonS3Exception e)
            {
                throw Failure("take the state lock", e);
            }
        }
        throw new BuildFailure($"Could not take the state lock of {location.Environment}: other runs keep taking it. Try again.");
    }

    private async Task ReleaseLockCoreAsync(HeldLock held, CancellationToken ct)
    {
        try
        {
            await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = location.Bucket, Key = location.LockKey, IfMatch = held.ETag }, ct);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            // someone forced the lock away from us; theirs is not ours to delete
        }
    }

    private async Task<(StateLockInfo? info, string? etag)> ReadLockAsync(CancellationToken ct)
    {
        try
        {
            using var response = await s3.GetObjectAsync(new GetObjectRequest { BucketName = location.Bucket, Key = location.LockKey }, ct);
            using var reader = new StreamReader(response.ResponseStream);
            return (StateLockInfo.TryParse(await reader.ReadToEndAsync(ct)) ?? new StateLockInfo("?", "unknown", "unknown", 0, "unknown", clock.GetUtcNow()), response.ETag);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return (null, null);
        }
    }

    private async Task DeleteLockAsync(string? etag, CancellationToken ct)
    {
        try
        {
            await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = location.Bucket, Key = location.LockKey, IfMatch = etag }, ct);
        }
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.NotFound)
        {
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private string Where(string key) => $"s3://{location.Bucket}/{key}";

    private string Endpoint => location.Endpoint.GetLeftPart(UriPartial.Authority);

    private BuildFailure Failure(string what, AmazonS3Exception e) => e.StatusCode switch
    {
        HttpStatusCode.Forbidden => new BuildFailure($"S3 refused to {what} in bucket {location.Bucket} ({e.ErrorCode}: {e.Message}): check S3_ACCESS_KEY / S3_SECRET_KEY and the user's objectstore role."),
        HttpStatusCode.NotFound => new BuildFailure($"The state bucket {location.Bucket} does not exist at {location.Endpoint}: run ./build.sh Init --env {location.Environment}."),
        _ => new BuildFailure($"S3 could not {what} in bucket {location.Bucket}: {(int)e.StatusCode} {e.ErrorCode}: {e.Message}"),
    };
}
