using System.Net;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using BuildEngine;

namespace AccoReboot.Backups;

/// <summary>
/// The backups of one environment in its state bucket, under &lt;env&gt;/backups/: the age-encrypted archive and
/// its manifest side by side. Down deletes the state object only, so the backups outlive the environment.
/// </summary>
sealed class BackupStore(IAmazonS3 s3, string bucket, string environment)
{
    private static readonly JsonSerializerOptions Json = JsonTypes.Over(new(JsonSerializerDefaults.Web) { WriteIndented = true });

    public string Where(string id) => $"s3://{bucket}/{BackupCatalog.ArchiveKey(environment, id)}";

    public async Task<IReadOnlyList<string>> IdsAsync(CancellationToken ct)
    {
        var ids = new List<string>();
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = BackupCatalog.Prefix(environment) };
        ListObjectsV2Response page;
        do
        {
            page = await Call("list the backups", () => s3.ListObjectsV2Async(request, ct));
            ids.AddRange((page.S3Objects ?? []).Select(o => BackupCatalog.IdOf(environment, o.Key)).OfType<string>());
            request.ContinuationToken = page.NextContinuationToken;
        } while (page.IsTruncated == true);
        return ids.Order(StringComparer.Ordinal).ToList();
    }

    public async Task PutAsync(BackupManifest manifest, byte[] encrypted, CancellationToken ct)
    {
        // the archive first: a manifest (what lists a backup) never points at an archive that is not there
        await Call("store the backup", () => s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket, Key = BackupCatalog.ArchiveKey(environment, manifest.Id), InputStream = new MemoryStream(encrypted),
            ContentType = "application/octet-stream", UseChunkEncoding = false,
        }, ct));
        await Call("store the backup's manifest", () => s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket, Key = BackupCatalog.ManifestKey(environment, manifest.Id), ContentBody = JsonSerializer.Serialize(manifest, Json),
            ContentType = "application/json", UseChunkEncoding = false,
        }, ct));
    }

    public async Task<BackupManifest> ManifestAsync(string id, CancellationToken ct)
    {
        var bytes = await GetAsync(BackupCatalog.ManifestKey(environment, id), ct);
        try
        {
            return JsonSerializer.Deserialize<BackupManifest>(bytes, Json) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new BuildFailure($"The manifest of backup {id} (s3://{bucket}/{BackupCatalog.ManifestKey(environment, id)}) is not readable: {e.Message}");
        }
    }

    public Task<byte[]> ArchiveAsync(string id, CancellationToken ct) => GetAsync(BackupCatalog.ArchiveKey(environment, id), ct);

    /// <summary>The manifest first: a backup stops being listed before its archive goes.</summary>
    public async Task DeleteAsync(string id, CancellationToken ct)
    {
        await Call("delete an old backup", () => s3.DeleteObjectAsync(bucket, BackupCatalog.ManifestKey(environment, id), ct));
        await Call("delete an old backup", () => s3.DeleteObjectAsync(bucket, BackupCatalog.ArchiveKey(environment, id), ct));
    }

    private async Task<byte[]> GetAsync(string key, CancellationToken ct)
    {
        using var response = await Call($"read s3://{bucket}/{key}", () => s3.GetObjectAsync(bucket, key, ct));
        using var content = new MemoryStream();
        await response.ResponseStream.CopyToAsync(content, ct);
        return content.ToArray();
    }

    private async Task<T> Call<T>(string what, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new BuildFailure($"Could not {what}: the bucket {bucket} or the object is not there ({e.ErrorCode}). Has {environment} been initialised (Init)?");
        }
        catch (AmazonS3Exception e)
        {
            throw new BuildFailure($"Could not {what} in the bucket {bucket}: S3 answered {(int)e.StatusCode} {e.ErrorCode} ({e.Message}).");
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException)
        {
            throw new BuildFailure($"Could not {what}: S3 did not answer ({e.Message}).");
        }
    }
}
