using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AccoReboot.Cloud.Http;
using BuildEngine;

namespace AccoReboot.Cloud.Ovh;

/// <summary>The OVH API credentials of one application (from credentials/common.enc.env).</summary>
sealed record OvhCredentials(string ApplicationKey, string ApplicationSecret, string ConsumerKey)
{
    public override string ToString() => "OvhCredentials { **** }";
}

/// <summary>
/// A signed OVH API client: the clock offset from /auth/time is fetched once per process, every call carries
/// X-Ovh-Application/Consumer/Timestamp/Signature, errors become <see cref="OvhApiException"/>, transient ones are retried.
/// </summary>
sealed class OvhClient(HttpClient http, Uri baseUri, OvhCredentials credentials, TimeProvider clock, RetrySettings retry)
{
    public static readonly JsonSerializerOptions Json = JsonTypes.Over(new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    });

    private long? _timeDelta;
    private readonly SemaphoreSlim _timeGate = new(1, 1);

    public Task<T> GetAsync<T>(string path, CancellationToken cancellationToken) => SendAsync<T>(HttpMethod.Get, path, null, cancellationToken);
    public Task<T> PostAsync<T>(string path, object? body, CancellationToken cancellationToken) => SendAsync<T>(HttpMethod.Post, path, body, cancellationToken);
    public Task<T> PutAsync<T>(string path, object? body, CancellationToken cancellationToken) => SendAsync<T>(HttpMethod.Put, path, body, cancellationToken);
    public Task DeleteAsync(string path, CancellationToken cancellationToken) => SendAsync<JsonElement?>(HttpMethod.Delete, path, null, cancellationToken);

    public async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        var url = new Uri(baseUri, path.TrimStart('/'));
        var payload = body == null ? "" : JsonSerializer.Serialize(body, Json);
        var delta = await TimeDeltaAsync(cancellationToken);
        using var answer = await HttpRetry.SendAsync(http, $"OVH API {method.Method} {path}", url, idempotent: method != HttpMethod.Post, retry, () =>
        {
            var request = new HttpRequestMessage(method, url);
            var timestamp = clock.GetUtcNow().ToUnixTimeSeconds() + delta;
            request.Headers.Add("X-Ovh-Application", credentials.ApplicationKey);
            request.Headers.Add("X-Ovh-Consumer", credentials.ConsumerKey);
            request.Headers.Add("X-Ovh-Timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
            // sign the URL exactly as it goes on the wire
            request.Headers.Add("X-Ovh-Signature", OvhSignature.Compute(credentials.ApplicationSecret, credentials.ConsumerKey, method.Method, url.AbsoluteUri, payload, timestamp));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (body != null) request.Content = new StringContent(payload, Encoding.UTF8, "application/json");
            return request;
        }, cancellationToken);
        if (!answer.IsSuccessStatusCode) throw Error(answer, method, path);
        if (typeof(T) == typeof(JsonElement?) && answer.Text.Length == 0) return default!;
        return answer.Deserialize<T>(Json);
    }

    private async Task<long> TimeDeltaAsync(CancellationToken cancellationToken)
    {
        if (_timeDelta is { } known) return known;
        await _timeGate.WaitAsync(cancellationToken);
        try
        {
            if (_timeDelta is { } again) return again;
            var url = new Uri(baseUri, "auth/time");
            using var answer = await HttpRetry.SendAsync(http, "OVH API GET /auth/time", url, idempotent: true, retry, () => new HttpRequestMessage(HttpMethod.Get, url), cancellationToken);
            if (!answer.IsSuccessStatusCode || !long.TryParse(answer.Text.Trim(), out var server))
                throw answer.IsSuccessStatusCode ? answer.Unexpected() : new BuildFailure($"OVH API {url} answered {(int)answer.StatusCode}: cannot read the server time.");
            _timeDelta = server - clock.GetUtcNow().ToUnixTimeSeconds();
            return _timeDelta.Value;
        }
        finally
        {
            _timeGate.Release();
        }
    }

    private static OvhApiException Error(CloudAnswer answer, HttpMethod method, string path)
    {
        var (response, text) = (answer.Response, answer.Text);
        string? errorClass = null;
        var message = text.Length > 0 ? text : response.ReasonPhrase ?? "";
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("class", out var c)) errorClass = c.GetString();
                else if (root.TryGetProperty("errorCode", out var code)) errorClass = code.GetString();
                if (root.TryGetProperty("message", out var m)) message = m.GetString() ?? message;
            }
        }
        catch (JsonException)
        {
        }
        var queryId = response.Headers.TryGetValues("X-Ovh-QueryID", out var ids) ? ids.FirstOrDefault() : null;
        return new OvhApiException(response.StatusCode, errorClass, message, queryId, method.Method, path);
    }
}
