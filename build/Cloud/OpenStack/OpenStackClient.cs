using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AccoReboot.Cloud.Http;

namespace AccoReboot.Cloud.OpenStack;

/// <summary>
/// Calls to an OpenStack service found in the Keystone catalog: X-Auth-Token on every call, one new
/// authentication on a 401 (an expired or revoked token), retries on 429/5xx for idempotent calls.
/// </summary>
sealed class OpenStackClient(HttpClient http, Keystone keystone, RetrySettings retry)
{
    public async Task<JsonNode?> SendAsync(string service, string versionPrefix, HttpMethod method, string path, JsonNode? body,
        CancellationToken cancellationToken, params HttpStatusCode[] accepted)
    {
        var endpoint = await keystone.EndpointAsync(service, cancellationToken);
        // the catalog URL may or may not carry the version (and a project id after it): add the prefix only when absent
        var baseUrl = endpoint.AbsolutePath.Contains("/" + versionPrefix, StringComparison.Ordinal)
            ? endpoint.AbsoluteUri
            : endpoint.AbsoluteUri + "/" + versionPrefix;
        var url = new Uri(baseUrl.TrimEnd('/') + "/" + path.TrimStart('/'));
        for (var attempt = 0; ; attempt++)
        {
            var token = await keystone.TokenAsync(cancellationToken);
            using var answer = await HttpRetry.SendAsync(http, $"OpenStack {service} {method.Method} {path}", url, idempotent: method != HttpMethod.Post, retry, () =>
            {
                var request = new HttpRequestMessage(method, url);
                request.Headers.Add("X-Auth-Token", token);
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                if (body != null) request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
                return request;
            }, cancellationToken);
            if (answer.StatusCode == HttpStatusCode.Unauthorized && attempt == 0)
            {
                keystone.Invalidate(token);
                continue;
            }
            if (!answer.IsSuccessStatusCode && !accepted.Contains(answer.StatusCode))
                throw new OpenStackApiException(service, answer.StatusCode, MessageOf(answer.Text), method.Method, path);
            return answer.Text.Length == 0 ? null : answer.Node();
        }
    }

    /// <summary>The human message of an OpenStack error body: {"badRequest": {"message": …}}, {"NeutronError": {"message": …}}, {"error": {"message": …}}.</summary>
    public static string MessageOf(string text)
    {
        try
        {
            if (JsonNode.Parse(text) is JsonObject root)
                foreach (var (_, value) in root)
                    if (value is JsonObject inner && inner["message"]?.GetValue<string>() is { } message)
                        return message;
        }
        catch (JsonException)
        {
        }
        return text.Length > 300 ? text[..300] : text;
    }
}
