using AccoReboot.Cloud.Http;
using AccoReboot.Cloud;
using AccoReboot.Session;

namespace AccoReboot.Infra;

/// <summary>Everything about one environment that comes from its profile (.nuke/parameters.&lt;env&gt;.json).</summary>
sealed record EnvironmentSettings(
    string Name,
    string OvhEndpoint,
    string IdentityUrl,
    string Region,
    string Flavor,
    string Image,
    DatabaseSpec Database,
    IReadOnlyList<string> AdminCidrs,
    bool Protected,
    string StateBucket,
    string StateRegion,
    string? S3Endpoint,
    PollSettings Polling,
    RetrySettings Retry)
{
    public CloudLocation Location => new(Name, OvhEndpoint, IdentityUrl, Region, StateBucket, StateRegion, S3Endpoint, Retry);
}
