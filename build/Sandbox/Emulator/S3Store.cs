using System.Security.Cryptography;

namespace AccoReboot.Sandbox.Emulator;

sealed record S3Version(string VersionId, string ETag, byte[] Body, bool IsDeleteMarker, DateTimeOffset LastModified);

sealed class S3Bucket(string name)
{
    public string Name { get; } = name;
    public bool Versioning { get; set; }
    public Dictionary<string, List<S3Version>> Objects { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, int> InFlight { get; } = new(StringComparer.Ordinal);

    public S3Version? Current(string key) =>
        Objects.TryGetValue(key, out var versions) && versions.Count > 0 && !versions[^1].IsDeleteMarker ? versions[^1] : null;
}

/// <summary>What a conditional write found: done, precondition failed (412), or a concurrent conflicting write (409).</summary>
enum S3WriteOutcome
{
    Written,
    PreconditionFailed,
    Conflict,
    NoSuchBucket,
}

/// <summary>
/// The S3 objects of the emulated project, with AWS's documented conditional-write semantics (which s3rver lacks):
/// If-None-Match: * fails with 412 when the key exists, If-Match with 412 when the ETag differs, and a
/// conditional write racing another write of the same key gets 409 ConditionalRequestConflict.
/// </summary>
sealed class S3Store
{
    private readonly object _gate = new();
    public Dictionary<string, S3Bucket> Buckets { get; } = new(StringComparer.Ordinal);

    public S3Bucket? Bucket(string name)
    {
        lock (_gate) return Buckets.GetValueOrDefault(name);
    }

    public bool CreateBucket(string name, bool versioning)
    {
        lock (_gate)
        {
            if (Buckets.ContainsKey(name)) return false;
            Buckets[name] = new S3Bucket(name) { Versioning = versioning };
            return true;
        }
    }

    public bool DeleteBucket(string name)
    {
        lock (_gate) return Buckets.Remove(name);
    }

    public S3Version? Get(string bucket, string key)
    {
        lock (_gate) return Buckets.GetValueOrDefault(bucket)?.Current(key);
    }

    public async Task<(S3WriteOutcome outcome, S3Version? version)> PutAsync(string bucket, string key, byte[] body, string? ifMatch, bool ifNoneMatchAny, TimeSpan latency)
    {
        var conditional = ifMatch != null || ifNoneMatchAny;
        S3Bucket? target;
        lock (_gate)
        {
            target = Buckets.GetValueOrDefault(bucket);
            if (target == null) return (S3WriteOutcome.NoSuchBucket, null);
            var busy = target.InFlight.GetValueOrDefault(key) > 0;
            if (conditional && busy) return (S3WriteOutcome.Conflict, null);
            target.InFlight[key] = target.InFlight.GetValueOrDefault(key) + 1;
        }
        try
        {
            if (latency > TimeSpan.Zero) await Task.Delay(latency);
            lock (_gate)
            {
                var current = target.Current(key);
                if (ifNoneMatchAny && current != null) return (S3WriteOutcome.PreconditionFailed, null);
                if (ifMatch != null && (current == null || Unquote(current.ETag) != Unquote(ifMatch))) return (S3WriteOutcome.PreconditionFailed, null);
                var version = new S3Version(target.Versioning ? Guid.NewGuid().ToString("N") : "null",
                    "\"" + Convert.ToHexStringLower(MD5.HashData(body)) + "\"", body, false, DateTimeOffset.UtcNow);
                if (!target.Objects.TryGetValue(key, out var versions)) target.Objects[key] = versions = [];
                if (!target.Versioning) versions.Clear();
                versions.Add(version);
                return (S3WriteOutcome.Written, version);
            }
        }
        finally
        {
            lock (_gate) target.InFlight[key]--;
        }
    }

    public S3WriteOutcome Delete(string bucket, string key, string? ifMatch)
    {
        lock (_gate)
        {
            var target = Buckets.GetValueOrDefault(bucket);
            if (target == null) return S3WriteOutcome.NoSuchBucket;
            var current = target.Current(key);
            if (ifMatch != null && (current == null || Unquote(current.ETag) != Unquote(ifMatch))) return S3WriteOutcome.PreconditionFailed;
            if (!target.Objects.TryGetValue(key, out var versions)) return S3WriteOutcome.Written;
            if (target.Versioning) versions.Add(new S3Version(Guid.NewGuid().ToString("N"), "", [], true, DateTimeOffset.UtcNow));
            else target.Objects.Remove(key);
            return S3WriteOutcome.Written;
        }
    }

    public IReadOnlyList<(string key, S3Version version)> List(string bucket, string prefix)
    {
        lock (_gate)
        {
            var target = Buckets.GetValueOrDefault(bucket);
            if (target == null) return [];
            return target.Objects.Where(o => o.Key.StartsWith(prefix, StringComparison.Ordinal))
                .Select(o => (o.Key, version: target.Current(o.Key)))
                .Where(o => o.version != null)
                .OrderBy(o => o.Key, StringComparer.Ordinal)
                .Select(o => (o.Key, o.version!))
                .ToList();
        }
    }

    public int VersionCount(string bucket, string key)
    {
        lock (_gate) return Buckets.GetValueOrDefault(bucket)?.Objects.GetValueOrDefault(key)?.Count(v => !v.IsDeleteMarker) ?? 0;
    }

    // OVH documents the ETag in If-Match without quotes; AWS clients send it quoted: accept both
    private static string Unquote(string etag) => etag.Trim().Trim('"');
}
