using System.Globalization;
using System.Security;

namespace AccoReboot.Sandbox.Emulator;

/// <summary>
/// The S3 operations the state store uses, path-style, with versioning and conditional writes. Requests must
/// carry the configured access key (SigV4 Authorization); aws-chunked bodies are refused, as OVH once did.
/// </summary>
sealed class S3Handler(EmulatorWorld world)
{
    private S3Store Store => world.S3;

    public async Task<EmulatorResponse> HandleAsync(EmulatorRequest request)
    {
        var authorization = request.Header("Authorization") ?? "";
        var credential = authorization.Split("Credential=", 2).ElementAtOrDefault(1)?.Split('/')[0];
        if (credential != world.Options.S3AccessKey)
            return Error(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", request.Path);
        if ((request.Header("Content-Encoding") ?? "").Contains("aws-chunked") || (request.Header("x-amz-content-sha256") ?? "").StartsWith("STREAMING-", StringComparison.Ordinal))
            return Error(400, "NotImplemented", "Transfering payloads in multiple chunks using aws-chunked is not supported", request.Path);
        if (request.Segments.Count == 0) return Error(400, "InvalidRequest", "Listing buckets is not emulated", "/");

        var bucket = request.Segments[0];
        var key = string.Join('/', request.Segments.Skip(1));
        if (key.Length == 0) return Bucket(request, bucket);

        switch (request.Method)
        {
            case "GET" or "HEAD":
            {
                var version = Store.Get(bucket, key);
                if (Store.Bucket(bucket) == null) return Error(404, "NoSuchBucket", "The specified bucket does not exist", request.Path);
                if (version == null) return request.Method == "HEAD" ? EmulatorResponse.Empty(404) : Error(404, "NoSuchKey", "The specified key does not exist.", request.Path);
                if (request.Header("If-Match") is { } ifMatch && ifMatch.Trim('"') != version.ETag.Trim('"')) return Error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold", request.Path);
                if (request.Header("If-None-Match") is { } ifNone && (ifNone == "*" || ifNone.Trim('"') == version.ETag.Trim('"'))) return EmulatorResponse.Empty(304);
                // an object's bytes go back as they were stored (a backup is binary)
                var response = new EmulatorResponse(200, "", "application/octet-stream") { Bytes = request.Method == "HEAD" ? null : version.Body }
                    .With("ETag", version.ETag)
                    .With("Last-Modified", version.LastModified.ToString("R", CultureInfo.InvariantCulture))
                    .With("x-amz-version-id", version.VersionId);
                if (request.Method == "HEAD") response.With("Content-Length-Override", version.Body.Length.ToString(CultureInfo.InvariantCulture));
                return response;
            }
            case "PUT":
            {
                var ifNoneMatch = request.Header("If-None-Match");
                var ifMatch = request.Header("If-Match");
                if (ifNoneMatch != null && ifMatch != null) return Error(400, "InvalidRequest", "If-Match and If-None-Match cannot be used together", request.Path);
                if (ifNoneMatch != null && ifNoneMatch != "*") return Error(501, "NotImplemented", "If-None-Match on PUT only takes *", request.Path);
                var (outcome, version) = await Store.PutAsync(bucket, key, request.RawBody, ifMatch, ifNoneMatch == "*", world.Options.S3WriteLatency);
                return outcome switch
                {
                    S3WriteOutcome.Written => EmulatorResponse.Empty(200).With("ETag", version!.ETag).With("x-amz-version-id", version.VersionId),
                    S3WriteOutcome.PreconditionFailed => Error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold", request.Path),
                    S3WriteOutcome.Conflict => Error(409, "ConditionalRequestConflict", "A conflicting operation occurred. If using PutObject you can retry the request.", request.Path),
                    _ => Error(404, "NoSuchBucket", "The specified bucket does not exist", request.Path),
                };
            }
            case "DELETE":
                return Store.Delete(bucket, key, request.Header("If-Match")) switch
                {
                    S3WriteOutcome.PreconditionFailed => Error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold", request.Path),
                    S3WriteOutcome.NoSuchBucket => Error(404, "NoSuchBucket", "The specified bucket does not exist", request.Path),
                    _ => EmulatorResponse.Empty(204),
                };
            default:
                return Error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.", request.Path);
        }
    }

    private EmulatorResponse Bucket(EmulatorRequest request, string bucket)
    {
        var existing = Store.Bucket(bucket);
        switch (request.Method)
        {
            case "HEAD":
                return existing == null ? EmulatorResponse.Empty(404) : EmulatorResponse.Empty(200);
            case "PUT" when request.Query.ContainsKey("versioning"):
                if (existing == null) return Error(404, "NoSuchBucket", "The specified bucket does not exist", request.Path);
                existing.Versioning = request.Body.Contains("<Status>Enabled</Status>", StringComparison.Ordinal);
                return EmulatorResponse.Empty(200);
            case "GET" when request.Query.ContainsKey("versioning"):
                if (existing == null) return Error(404, "NoSuchBucket", "The specified bucket does not exist", request.Path);
                return Xml(200, $"<VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">{(existing.Versioning ? "<Status>Enabled</Status>" : "")}</VersioningConfiguration>");
            case "PUT":
                if (bucket.Length is < 3 or > 63) return Error(400, "InvalidBucketName", "The specified bucket is not valid.", request.Path);
                return Store.CreateBucket(bucket, versioning: false)
                    ? EmulatorResponse.Empty(200)
                    : Error(409, "BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.", request.Path);
            case "GET":
                if (existing == null) return Error(404, "NoSuchBucket", "The specified bucket does not exist", request.Path);
                var prefix = request.Query.GetValueOrDefault("prefix") ?? "";
                var items = Store.List(bucket, prefix);
                var contents = string.Concat(items.Select(i =>
                    $"<Contents><Key>{SecurityElement.Escape(i.key)}</Key><LastModified>{i.version.LastModified.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}</LastModified><ETag>{SecurityElement.Escape(i.version.ETag)}</ETag><Size>{i.version.Body.Length}</Size><StorageClass>STANDARD</StorageClass></Contents>"));
                return Xml(200, $"<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>{bucket}</Name><Prefix>{SecurityElement.Escape(prefix)}</Prefix><KeyCount>{items.Count}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>{contents}</ListBucketResult>");
            case "DELETE":
                return Store.DeleteBucket(bucket) ? EmulatorResponse.Empty(204) : Error(404, "NoSuchBucket", "The specified bucket does not exist", request.Path);
            default:
                return Error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.", request.Path);
        }
    }

    private static EmulatorResponse Xml(int status, string body) =>
        new(status, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + body, "application/xml");

    private static EmulatorResponse Error(int status, string code, string message, string resource) =>
        Xml(status, $"<Error><Code>{code}</Code><Message>{SecurityElement.Escape(message)}</Message><Resource>{SecurityElement.Escape(resource)}</Resource><RequestId>{Guid.NewGuid():N}</RequestId></Error>");
}
