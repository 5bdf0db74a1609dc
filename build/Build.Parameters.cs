using BuildEngine;

partial class Build
{
    [Parameter("Environment to operate on (loads .nuke/parameters.<env>.json)")]
    [SelectsProfile]
    readonly string? Env;

    // --- the environment's profile: what Apply creates

    [Parameter("OVH API endpoint: ovh-eu, ovh-ca, ovh-us (or a URL)")]
    readonly string OvhEndpoint = "ovh-eu";

    [Parameter("OpenStack identity (Keystone v3) URL")]
    readonly string IdentityUrl = "https://auth.cloud.ovh.net/v3";

    [Parameter("OpenStack region of the instance (GRA9, GRA11, SBG5, …)")]
    readonly string Region = "GRA9";

    [Parameter("Instance flavor")]
    readonly string Flavor = "b3-8";

    [Parameter("Instance image name (the newest active one is used)")]
    readonly string Image = "Ubuntu 24.04";

    [Parameter("PostgreSQL major version of the managed database")]
    readonly string DbVersion = "17";

    [Parameter("Managed database plan: essential, business, enterprise")]
    readonly string DbPlan = "essential";

    [Parameter("Managed database node flavor")]
    readonly string DbFlavor = "db1-4";

    [Parameter("Managed database region (OVH macro region: GRA, SBG, DE, …)")]
    readonly string DbRegion = "GRA";

    [Parameter("Managed database node count")]
    readonly int DbNodes = 1;

    [Parameter("Managed database disk size in GB (default: the flavor's)")]
    readonly int? DbDiskSize;

    [Parameter("Databases to create in the cluster")]
    readonly string[] Databases = ["accoreboot", "powersync_storage"];

    [Parameter("Database user of the application")]
    readonly string DbUser = "accoreboot";

    [Parameter("Roles of the database user (replication: PowerSync reads the WAL)")]
    readonly string[] DbUserRoles = ["replication"];

    [Parameter("Networks allowed to SSH to the instance (CIDR blocks)")]
    readonly string[] AdminCidrs = [];

    [Parameter("A protected environment never loses its database without --destroy-database")]
    readonly bool Protected;

    [Parameter("State bucket (OVH Object Storage) of the environment")]
    readonly string? StateBucket;

    [Parameter("Region of the state bucket (OVH macro region, S3 endpoint s3.<region>.io.cloud.ovh.net)")]
    readonly string StateRegion = "GRA";

    [Parameter("S3 endpoint of the state bucket (default: the OVH one of StateRegion)")]
    readonly string? S3Endpoint;

    [Parameter("Seconds between two looks at something that takes time (cluster, instance)")]
    readonly double PollInterval = 5;

    // --- the API image (Build, Push)

    [Parameter("Registry the API image is pushed to (host[:port])")]
    readonly string Registry = "registry.accoreboot.example";

    [Parameter("Repository of the API image in the registry")]
    readonly string ImageRepository = "accoreboot-api";

    [Parameter("Base image of the API image (default: the Dockerfile's, an official Node 22 image)")]
    readonly string? BaseImage;

    [Parameter("More build arguments of the API image, NAME=value")]
    readonly string[] BuildArguments = [];

    [Parameter("PEM file of extra CA certificates the image build trusts for npm (a TLS-inspecting proxy)")]
    readonly string? BuildCaFile;

    // --- the sandbox cloud (SandboxCloud)

    [Parameter("SandboxCloud: port of the OVH/OpenStack emulator on 127.0.0.1")]
    readonly int SandboxApiPort = 18080;

    [Parameter("SandboxCloud: port of its S3")]
    readonly int SandboxS3Port = 18081;

    [Parameter("SandboxCloud: seconds a new PostgreSQL cluster stays CREATING")]
    readonly double SandboxDbDelay = 3;

    [Parameter("SandboxCloud: seconds a new instance stays BUILD")]
    readonly double SandboxInstanceDelay = 0.5;

    [Parameter("SandboxCloud: seconds a cluster stays UPDATING after a change")]
    readonly double SandboxUpdateDelay = 0.2;

    // --- switches of single targets

    [Parameter("Plan: print the plan as JSON on stdout (everything else goes to stderr)")]
    readonly bool Json;

    [Parameter("Break a held state lock (after making sure its run is dead)")]
    readonly bool ForceUnlock;

    [Parameter("Allow Down or Apply to delete the database of a protected environment")]
    readonly bool DestroyDatabase;

    [Parameter("Credentials file for SopsEdit: common, or a path under credentials/", Name = "file")]
    readonly string? CredentialsFile;

    [Parameter("The common credentials file (SOPS dotenv)")]
    readonly string CommonCredentials = AccoReboot.Secrets.CredentialSchema.CommonFile;

    [Parameter("Test filter (dotnet test --filter syntax), e.g. Category=Unit")]
    readonly string? Filter;

    protected override void OnBuildInitialized()
    {
        if (Json) Log.SendChromeToStandardError();
    }
}
