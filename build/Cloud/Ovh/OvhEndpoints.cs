using BuildEngine;

namespace AccoReboot.Cloud.Ovh;

/// <summary>The OVH API endpoints by name (as go-ovh and python-ovh name them), or an explicit URL (the sandbox emulator).</summary>
static class OvhEndpoints
{
    public static readonly IReadOnlyDictionary<string, string> Known = new Dictionary<string, string>
    {
        ["ovh-eu"] = "https://eu.api.ovh.com/1.0",
        ["ovh-ca"] = "https://ca.api.ovh.com/1.0",
        ["ovh-us"] = "https://api.us.ovhcloud.com/1.0",
    };

    public static Uri Resolve(string endpoint)
    {
        if (Known.TryGetValue(endpoint, out var url)) return new Uri(url.TrimEnd('/') + "/");
        if (Uri.TryCreate(endpoint, UriKind.Absolute, out var custom) && custom.Scheme is "http" or "https")
            return new Uri(endpoint.TrimEnd('/') + "/");
        throw new BuildFailure($"Unknown OVH endpoint '{endpoint}': use one of {string.Join(", ", Known.Keys)}, or a URL.");
    }
}
