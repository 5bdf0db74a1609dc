using AccoReboot.Secrets;
using AccoReboot.Secrets.Age;
using AccoReboot.Sandbox.Emulator;

namespace Tests.Support;

/// <summary>
/// A scratch repository whose "test" environment points at a running emulator: profile, templates, .sops.yaml and
/// credentials encrypted to a test identity (given to the build as SOPS_AGE_KEY).
/// </summary>
internal sealed class ProvisioningRepository
{
    public static readonly AgeIdentity Identity = AgeIdentity.Generate();
    public const string PublicKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq1ZbXJg5TCR0uuE+YD0SbhprL6frwhcmE2pTbT6Q4H deploy@test";

    public static Action<TempDirectory> For(CloudEmulator emulator, string profileExtras = "", bool createBucket = true) => root =>
    {
        var options = emulator.World.Options;
        root.File("templates/cloud-init.yaml", File.ReadAllText(Repository.Path("templates", "cloud-init.yaml")));
        CredentialsRepository.With([Identity],
            (CredentialSchema.CommonFile, new Dictionary<string, string>
            {
                ["OVH_APPLICATION_KEY"] = options.ApplicationKey,
                ["OVH_APPLICATION_SECRET"] = options.ApplicationSecret,
                ["OVH_CONSUMER_KEY"] = options.ConsumerKey,
                ["SSH_PRIVATE_KEY"] = "-----BEGIN OPENSSH PRIVATE KEY-----\nnot-used-by-these-tests\n-----END OPENSSH PRIVATE KEY-----",
                ["SSH_PUBLIC_KEY"] = PublicKey,
                ["REGISTRY_USERNAME"] = "deployer",
                ["REGISTRY_PASSWORD"] = "registry-password-for-tests",
                ["S3_ACCESS_KEY"] = options.S3AccessKey,
                ["S3_SECRET_KEY"] = "s3-secret-for-tests",
            }),
            ("credentials/test.enc.env", new Dictionary<string, string>
            {
                ["OVH_PROJECT_ID"] = options.ProjectId,
                ["OS_USERNAME"] = options.OpenStackUsername,
                ["OS_PASSWORD"] = options.OpenStackPassword,
                ["EMQX_DASHBOARD_PASSWORD"] = "emqx-dashboard-password",
                ["EMQX_NODE_COOKIE"] = "emqx-cookie-for-tests",
                ["API_ADMIN_TOKEN"] = "api-admin-token-for-tests",
                ["POWERSYNC_API_TOKEN"] = "powersync-token-for-tests",
                ["API_MQTT_PASSWORD"] = "mqtt-password-for-tests",
            }))(root);
        root.File(".nuke/parameters.json", "{}");
        root.File(".nuke/parameters.test.json", $$"""
            {
              "OvhEndpoint": "{{emulator.OvhEndpoint}}",
              "IdentityUrl": "{{emulator.IdentityUrl}}",
              "S3Endpoint": "{{emulator.S3Url}}",
              "Region": "GRA9",
              "AdminCidrs": ["198.51.100.0/24"],
              "PollInterval": 0.02{{profileExtras}}
            }
            """);
        if (createBucket) emulator.World.S3.CreateBucket("accoreboot-state-test", versioning: true);
    };

    public static Dictionary<string, string> Environment => CredentialsRepository.Key(Identity);

    public static EmulatorOptions FastOptions => new()
    {
        DatabaseCreateDelay = TimeSpan.FromMilliseconds(300),
        DatabaseUpdateDelay = TimeSpan.FromMilliseconds(60),
        DatabaseDeleteDelay = TimeSpan.FromMilliseconds(60),
        ServerBuildDelay = TimeSpan.FromMilliseconds(100),
        ServerDeleteDelay = TimeSpan.FromMilliseconds(60),
        UserCreateDelay = TimeSpan.FromMilliseconds(20),
    };
}
