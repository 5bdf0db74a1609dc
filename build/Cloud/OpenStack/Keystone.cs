using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AccoReboot.Cloud.Http;
using BuildEngine;

namespace AccoReboot.Cloud.OpenStack;

/// <summary>An OpenStack user of one project (from the environment's credentials).</summary>
sealed record OpenStackCredentials(string Username, string Password, string ProjectId)
{
    public override string ToString() => $"OpenStackCredentials {{ Username = {Username}, Password = ****, ProjectId = {ProjectId} }}";
}

/// <summary>
/// Keystone v3 password authentication, scoped to the project. The token is cached until shortly before it
/// expires, and dropped on a 401 so the next call authenticates again. The catalog gives each service's URL by region.
/// </summary>
sealed class Keystone(HttpClient http, Uri authUrl, OpenStackCredentials credentials, string region, TimeProvider clock, RetrySettings retry)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Token? _token;
    private Exception? _unreachable;

    private sealed record Token(string Value, DateTimeOffset ExpiresAt, JsonArray Catalog);

    public async Task<string> TokenAsync(CancellationToken cancellationToken) => (await CurrentAsync(cancellationToken)).Value;

    public void Invalidate(string token)
    {
        if (_token?.Value == token) _token = null;
    }

    /// <summary>The public URL of a service type (compute, network, image) in the region, without a trailing slash.</summary>
    public async Task<Uri> EndpointAsync(string type, CancellationToken cancellationToken)
    {
        var catalog = (await CurrentAsync(cancellationToken)).Catalog;
        var service = catalog.FirstOrDefault(s => s?["type"]?.GetValue<string>() == type)
                      ?? throw new BuildFailure($"The OpenStack catalog has no '{type}' service.");
        var endpoints = service["endpoints"]!.AsArray();
        var match = endpoints.FirstOrDefault(e => e?["interface"]?.GetValue<string>() == "public" &&
                                                  (e["region"]?.GetValue<string>() == region || e["region_id"]?.GetValue<string>() == region));
        if (match == null)
        {
            var regions = endpoints.Select(e => e?["region"]?.GetValue<string>() ?? e?["region_id"]?.GetValue<string>()).Where(r => r != null).Distinct().Order();
            throw new BuildFailure($"Unknown region '{region}' for the OpenStack {type} service: available regions are {string.Join(", ", regions)}. Fix Region in .nuke/parameters.<env>.json.");
        }
        return new Uri(match["url"]!.GetValue<string>().TrimEnd('/'));
    }

    private async Task<Token> CurrentAsync(CancellationToken cancellationToken)
    {
        if (_token is { } valid && valid.ExpiresAt > clock.GetUtcNow().AddMinutes(5)) return valid;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_token is { } again && again.ExpiresAt > clock.GetUtcNow().AddMinutes(5)) return again;
            // the calls that waited for this one fail with it: each would otherwise wait out the deadline again
            if (_unreachable != null) throw _unreachable;
            try
            {
                return _token = await AuthenticateAsync(cancellationToken);
            }
            catch (Cloud.Http.CloudUnreachableException e)
            {
                _unreachable = e;
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<Token> AuthenticateAsync(CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["auth"] = new JsonObject
            {
                ["identity"] = new JsonObject
                {
                    ["methods"] = new JsonArray("password"),
                    ["password"] = new JsonObject
                    {
                        ["user"] = new JsonObject
                        {
                            ["name"] = credentials.Username,
                            ["domain"] = new JsonObject { ["id"] = "default" },
                            ["password"] = credentials.Password,
                        },
                    },
                },
                ["scope"] = new JsonObject { ["project"] = new JsonObject { ["id"] = credentials.ProjectId } },
            },
        };
        var url = new Uri(authUrl.AbsoluteUri.TrimEnd('/') + "/auth/tokens");
        // authenticating twice is harmless: retried like a read
        using var answer = await HttpRetry.SendAsync(http, "OpenStack identity POST /v3/auth/tokens", url, idempotent: true, retry,
            () => new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") }, cancellationToken);
        var (response, text) = (answer.Response, answer.Text);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
            throw new BuildFailure($"OpenStack refused the credentials of {credentials.Username} for project {credentials.ProjectId} (401): check OS_USERNAME, OS_PASSWORD and OVH_PROJECT_ID in the environment's credentials.");
        if (!response.IsSuccessStatusCode)
            throw new OpenStackApiException("identity", response.StatusCode, OpenStackClient.MessageOf(text), "POST", "/v3/auth/tokens");
        var token = response.Headers.TryGetValues("X-Subject-Token", out var values) ? values.First() : throw answer.Unexpected();
        var document = answer.Node()?["token"] ?? throw answer.Unexpected();
        var expires = DateTimeOffset.Parse(document["expires_at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        return new Token(token, expires, document["catalog"]?.AsArray() ?? []);
    }
}
