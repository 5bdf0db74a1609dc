namespace AccoReboot.Secrets;

/// <summary>The decrypted common credentials (credentials/common.enc.env): what every environment shares.</summary>
sealed record CommonCredentials(
    string OvhApplicationKey,
    string OvhApplicationSecret,
    string OvhConsumerKey,
    string SshPrivateKey,
    string SshPublicKey,
    string RegistryUsername,
    string RegistryPassword,
    string S3AccessKey,
    string S3SecretKey)
{
    public DeployKey DeployKey => new(SshPrivateKey, SshPublicKey);

    public static CommonCredentials From(IReadOnlyDictionary<string, string> v) => new(
        v["OVH_APPLICATION_KEY"], v["OVH_APPLICATION_SECRET"], v["OVH_CONSUMER_KEY"], v["SSH_PRIVATE_KEY"], v["SSH_PUBLIC_KEY"],
        v["REGISTRY_USERNAME"], v["REGISTRY_PASSWORD"], v["S3_ACCESS_KEY"], v["S3_SECRET_KEY"]);

    public override string ToString() => "CommonCredentials { **** }";
}

/// <summary>The decrypted credentials of one environment (credentials/&lt;env&gt;.enc.env).</summary>
sealed record EnvironmentCredentials(
    string OvhProjectId,
    string OpenStackUsername,
    string OpenStackPassword,
    string EmqxDashboardPassword,
    string EmqxNodeCookie,
    string ApiAdminToken,
    string PowerSyncApiToken,
    string ApiMqttPassword,
    DeployKey? OwnDeployKey = null)
{
    public static EnvironmentCredentials From(IReadOnlyDictionary<string, string> v) => new(
        v["OVH_PROJECT_ID"], v["OS_USERNAME"], v["OS_PASSWORD"], v["EMQX_DASHBOARD_PASSWORD"], v["EMQX_NODE_COOKIE"],
        v["API_ADMIN_TOKEN"], v["POWERSYNC_API_TOKEN"], v["API_MQTT_PASSWORD"],
        v.GetValueOrDefault(DeployKey.PrivateName) is { Length: > 0 } own ? new DeployKey(own, v.GetValueOrDefault(DeployKey.PublicName) ?? "") : null);

    public override string ToString() => "EnvironmentCredentials { **** }";
}

/// <summary>
/// The key Deploy logs in to an instance with: the environment's own (written by Rotate --what deploy-key) where its
/// credentials hold one, else the common one every environment starts with.
/// </summary>
sealed record DeployKey(string PrivateKey, string PublicKey)
{
    public const string PrivateName = "SSH_PRIVATE_KEY";
    public const string PublicName = "SSH_PUBLIC_KEY";

    public static DeployKey Of(CommonCredentials common, EnvironmentCredentials environment) => environment.OwnDeployKey ?? common.DeployKey;

    /// <summary>Type and key material of an OpenSSH public key, without the comment (Nova and authorized_keys may drop or change it).</summary>
    public static string MaterialOf(string publicKey) => string.Join(' ', publicKey.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(2));

    public override string ToString() => $"DeployKey {{ {MaterialOf(PublicKey)} }}";
}
