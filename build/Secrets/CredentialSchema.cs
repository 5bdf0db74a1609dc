namespace AccoReboot.Secrets;

/// <summary>A key of a credentials file: what it is and where to get it (also the text of the .example files).</summary>
sealed record CredentialKey(string Name, string Description, bool Required = true, bool IsSecret = true);

/// <summary>The keys of the two credentials files. The .example files are checked against this list by a test.</summary>
static class CredentialSchema
{
    public const string CommonFile = "credentials/common.enc.env";
    public const string CommonExample = "credentials/common.env.example";
    public const string EnvironmentExample = "credentials/environment.env.example";

    public static string EnvironmentFile(string environment) => $"credentials/{environment}.enc.env";

    /// <summary>Whether a key's value is masked in the output: names and public keys are not, anything unknown is.</summary>
    public static bool IsSecret(string key) => Common.Concat(Environment).FirstOrDefault(k => k.Name == key)?.IsSecret ?? true;

    public static readonly IReadOnlyList<CredentialKey> Common =
    [
        new("OVH_APPLICATION_KEY", "OVH API application key: https://eu.api.ovh.com/createToken/ (rights GET/POST/PUT/DELETE on /cloud/project/*)"),
        new("OVH_APPLICATION_SECRET", "OVH API application secret, given with the application key"),
        new("OVH_CONSUMER_KEY", "OVH API consumer key, given with the application key once validated"),
        new("SSH_PRIVATE_KEY", "private half of the deploy key (OpenSSH format, ssh-keygen -t ed25519 -N ''), newlines written as \\n"),
        new("SSH_PUBLIC_KEY", "public half of the deploy key (ssh-ed25519 AAAA… deploy), installed on the instances", IsSecret: false),
        new("REGISTRY_USERNAME", "user of the private container registry the API image is pushed to", IsSecret: false),
        new("REGISTRY_PASSWORD", "password or token of that registry user"),
        new("S3_ACCESS_KEY", "S3 access key of the OVH Object Storage user that holds the state buckets (OVH console: Users & Roles, S3 credentials)"),
        new("S3_SECRET_KEY", "S3 secret key of that user"),
    ];

    public static readonly IReadOnlyList<CredentialKey> Environment =
    [
        new("OVH_PROJECT_ID", "the environment's Public Cloud project id (32 hex characters, OVH console: Public Cloud, project)", IsSecret: false),
        new("OS_USERNAME", "OpenStack user of that project (user-XXXX; OVH console: Users & Roles, role compute_operator + network_security_operator + image_operator)", IsSecret: false),
        new("OS_PASSWORD", "password of that OpenStack user (shown once when the user is created)"),
        new("EMQX_DASHBOARD_PASSWORD", "initial password of the EMQX dashboard user admin (any long random string)"),
        new("EMQX_NODE_COOKIE", "Erlang cookie of the EMQX node (any long random string)"),
        new("API_ADMIN_TOKEN", "token guarding the API's admin endpoints (any long random string: openssl rand -hex 32)"),
        new("POWERSYNC_API_TOKEN", "token of PowerSync's admin API (any long random string)"),
        new("API_MQTT_PASSWORD", "password of the API's own MQTT client (user accoreboot-api), checked by the API when EMQX asks (any long random string)"),
        new("SSH_PRIVATE_KEY", "optional: the environment's own deploy key, written by Rotate --what deploy-key (empty: the common one)", Required: false),
        new("SSH_PUBLIC_KEY", "optional: the public half of the environment's own deploy key, written with it", Required: false, IsSecret: false),
    ];
}
