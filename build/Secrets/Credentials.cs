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
    string ApiMqttPassword)
{
    public static EnvironmentCredentials From(IReadOnlyDictionary<string, string> v) => new(
        v["OVH_PROJECT_ID"], v["OS_USERNAME"], v["OS_PASSWORD"], v["EMQX_DASHBOARD_PASSWORD"], v["EMQX_NODE_COOKIE"],
        v["API_ADMIN_TOKEN"], v["POWERSYNC_API_TOKEN"], v["API_MQTT_PASSWORD"]);

    public override string ToString() => "EnvironmentCredentials { **** }";
}
