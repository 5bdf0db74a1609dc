using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using BuildEngine;

namespace AccoReboot.Docker;

/// <summary>What the registry holds under a tag: the manifest digest, and the image config digest (= docker's image id).</summary>
sealed record RegistryImage(string ManifestDigest, string? ConfigDigest);

/// <summary>
/// The registry's HTTP API (distribution v2), just enough to ask what a tag points to. Basic authentication, or the
/// bearer-token flow of the distribution spec when the registry asks for it. Manifests are asked for with the v2
/// and OCI media types: without them a registry converts to schema 1, whose digest differs.
/// </summary>
sealed class RegistryClient(HttpClient http, string username, string password)
{
    private static readonly string[] ManifestTypes =
    [
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
    ];

    public async Task<RegistryImage?> FindAsync(ImageReference image, CancellationToken ct)
    {
        var url = new Uri(image.RegistryBaseUri, $"v2/{image.Repository}/manifests/{Uri.EscapeDataString(image.Tag)}");
        string? bearer = null;
        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            foreach (var type in ManifestTypes) request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
            request.Headers.Authorization = bearer != null
                ? new AuthenticationHeaderValue("Bearer", bearer)
                : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}")));
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, ct);
            }
            catch (HttpRequestException e)
            {
                throw new BuildFailure($"Cannot reach the registry {image.Registry} ({e.Message}).");
            }
            using var _ = response;
            if (response.StatusCode == HttpStatusCode.NotFound) return null;
            if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 0 && Challenge(response) is { Scheme: "Bearer" } challenge)
            {
                bearer = await TokenAsync(challenge, image, ct);
                continue;
            }
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                throw new BuildFailure($"The registry {image.Registry} refused the credentials of {username} ({(int)response.StatusCode}): check REGISTRY_USERNAME and REGISTRY_PASSWORD in the common credentials.");
            if (!response.IsSuccessStatusCode)
                throw new BuildFailure($"The registry {image.Registry} answered {(int)response.StatusCode} for {image}.");
            var digest = response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.First() : "";
            var manifest = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct));
            return new RegistryImage(digest, manifest?["config"]?["digest"]?.GetValue<string>());
        }
        throw new BuildFailure($"The registry {image.Registry} refused the token it issued for {username}.");
    }

    private static AuthenticationHeaderValue? Challenge(HttpResponseMessage response) => response.Headers.WwwAuthenticate.FirstOrDefault();

    private async Task<string> TokenAsync(AuthenticationHeaderValue challenge, ImageReference image, CancellationToken ct)
    {
        var fields = (challenge.Parameter ?? "").Split(',')
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim().Trim('"'));
        var realm = fields.GetValueOrDefault("realm") ?? throw new BuildFailure($"The registry {image.Registry} asks for a token without saying where to get it.");
        var query = $"service={Uri.EscapeDataString(fields.GetValueOrDefault("service") ?? "")}&scope={Uri.EscapeDataString($"repository:{image.Repository}:pull")}";
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{realm}?{query}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}")));
        using var response = await http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
            throw new BuildFailure($"The registry {image.Registry} refused the credentials of {username} ({(int)response.StatusCode}): check REGISTRY_USERNAME and REGISTRY_PASSWORD in the common credentials.");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct));
        return body?["token"]?.GetValue<string>() ?? body?["access_token"]?.GetValue<string>()
               ?? throw new BuildFailure($"The token service of {image.Registry} answered without a token.");
    }
}
