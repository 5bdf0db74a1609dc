using AccoReboot.Cloud.Http;
using AccoReboot.Cloud;
using AccoReboot.Session;

namespace AccoReboot.Infra;

/// <summary>What Apply and the state need of one environment, from its profile (.nuke/parameters.&lt;env&gt;.json).</summary>
sealed record EnvironmentSettings(
    string Name,
    string OvhEndpoint,
    string IdentityUrl,
    string Region,
    string Flavor,
    string Image,
    DatabaseSpec Database,
    IReadOnlyList<string> AdminCidrs,
    ExposedPorts Ports,
    bool Protected,
    string StateBucket,
    string StateRegion,
    string? S3Endpoint,
    PollSettings Polling,
    RetrySettings Retry,
    DnsName? Dns = null)
{
    /// <summary>What the environment should look like, with the deploy key and the rendered cloud-init.</summary>
    public DesiredEnvironment Desired(string sshPublicKey, string userData) =>
        new(Name, Region, Flavor, Image, Database, AdminCidrs, sshPublicKey.Trim(), userData, Protected, Ports, Dns);

    public CloudLocation Location => new(Name, OvhEndpoint, IdentityUrl, Region, StateBucket, StateRegion, S3Endpoint, Retry);
}
