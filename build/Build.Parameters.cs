using AccoReboot.Deploy;
using BuildEngine;

partial class Build
{
    [Parameter("Environment to operate on (loads .nuke/parameters.<env>.json)")]
    [SelectsProfile]
    readonly string? Env;

    [Parameter("The environment is the local sandbox: its cloud (SandboxCloud) runs on this machine, its test age key is committed")]
    readonly bool Sandbox;

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

    [Parameter("Seconds one attempt of a cloud call (OVH, OpenStack, S3) may take, to the answer's last byte; a call with its retries ends within twice this")]
    readonly double CallTimeout = 15;

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

    // --- the stack on the instance (Deploy, Render, Status, Logs, Ssh, Rollback)

    [Parameter("Public domain of the API: Caddy gets its certificate and serves :443 (none: plain HTTP on :80)")]
    readonly string? Domain;

    [Parameter("DNS zone at OVHcloud that Domain is a name of: Apply keeps Domain's A record there (default: Domain's last two labels)")]
    readonly string? DnsZone;

    [Parameter("Apply manages Domain's A record at OVHcloud (false: the domain's DNS is kept elsewhere, by hand)")]
    readonly bool ManageDns = true;

    [Parameter("ACME account e-mail of Caddy (certificate expiry notices)")]
    readonly string AcmeEmail = "";

    [Parameter("ACME directory URL (default: Let's Encrypt; staging for tests)")]
    readonly string AcmeCa = "";

    [Parameter("PEM file (on this machine) of the root Caddy trusts for a private ACME CA's directory (Pebble, step-ca): sent with the release")]
    readonly string AcmeCaRoot = "";

    [Parameter("Extra /etc/hosts lines of Caddy's container, name:address (the sandbox points its ACME server's name at the Docker host: host-gateway)")]
    readonly string[] CaddyExtraHosts = [];

    [Parameter("DNS server (address:port) Deploy asks whether Domain points at the instance (default: this machine's resolver; the sandbox: its emulated zones)")]
    readonly string DnsServer = "";

    [Parameter("PEM file of a root that Smoke and Up's checks also trust for the site's certificate (a private ACME CA's issuing root: the sandbox's Pebble)")]
    readonly string SiteCaRoot = "";

    [Parameter("Address the stack's public ports bind to on the instance")]
    readonly string PublicBind = "0.0.0.0";

    [Parameter("Port of Caddy's HTTP on the instance")]
    readonly int HttpPort = 80;

    [Parameter("Port of Caddy's HTTPS on the instance (with a domain)")]
    readonly int HttpsPort = 443;

    [Parameter("Port of EMQX's MQTT listener on the instance")]
    readonly int MqttPort = 1883;

    [Parameter("Port of EMQX's MQTT over TLS on the instance, with a domain (Caddy's certificate for Domain)")]
    readonly int MqttTlsPort = 8883;

    [Parameter("Publish the EMQX dashboard (test environments only)")]
    readonly bool EmqxDashboard;

    [Parameter("Port of the EMQX dashboard when published")]
    readonly int DashboardPort = 18083;

    [Parameter("EMQX image, pinned (5.8.x is the last open-source line)")]
    readonly string EmqxImage = "emqx/emqx:5.8.9";

    [Parameter("PowerSync service image, pinned: the version of build/Sandbox/standins' @powersync/service-schema, which checks its config")]
    readonly string PowerSyncImage = "journeyapps/powersync-service:1.26.0";

    [Parameter("Caddy image, pinned")]
    readonly string CaddyImage = "caddy:2.10.2-alpine";

    [Parameter("Image with pg_dump and psql of the database's major version, for Backup and Restore")]
    readonly string DbToolsImage = AccoReboot.Deploy.StackImages.DefaultDbTools;

    [Parameter("Compose pull_policy of the stack: missing (pinned tags never move), always, never")]
    readonly string PullPolicy = "missing";

    [Parameter("Compose project of the stack on the instance")]
    readonly string StackProject = "accoreboot";

    [Parameter("Docker network of the stack")]
    readonly string StackNetwork = "accoreboot";

    [Parameter("The stack's network exists already (made outside the stack, as the sandbox's)")]
    readonly bool ExternalNetwork;

    [Parameter("Reach the managed PostgreSQL with TLS, verify-full against the CA of the OVH API")]
    readonly bool DatabaseTls = true;

    [Parameter("Audience of the JWTs PowerSync accepts")]
    readonly string PowerSyncAudience = "powersync";

    [Parameter("Directory of the stack on the instance (releases, current, keys, audit.log)")]
    readonly string AppDirectory = CloudInitModel.AppDirectory;

    [Parameter("File cloud-init creates once Docker is ready; Deploy waits for it")]
    readonly string MarkerFile = CloudInitModel.MarkerFile;

    [Parameter("User Deploy connects as (created by cloud-init, in the docker group)")]
    readonly string DeployUser = CloudInitModel.DeployUser;

    [Parameter("SSH port of the instance")]
    readonly int SshPort = 22;

    [Parameter("known_hosts file to trust the instance's host key from at first contact (default: its console output)")]
    readonly string? KnownHosts;

    [Parameter("Releases kept on the instance")]
    readonly int KeepReleases = 5;

    [Parameter("Interval of the containers' healthchecks")]
    readonly string HealthInterval = "5s";

    [Parameter("Seconds Deploy waits for cloud-init's marker on a new instance")]
    readonly double MarkerTimeout = 600;

    [Parameter("Seconds Deploy waits for every container to be healthy")]
    readonly double UpTimeout = 180;

    [Parameter("Seconds Deploy waits for /health and the JWKS through Caddy")]
    readonly double HealthTimeout = 120;

    // --- switches of the stack targets

    [Parameter("Logs: only this service (api, emqx, powersync, caddy)")]
    readonly string? Service;

    [Parameter("Logs: keep printing new lines until Ctrl+C")]
    readonly bool Follow;

    [Parameter("Logs: lines of history per service")]
    readonly int Tail = 100;

    [Parameter("Rollback: the release to go back to (default: the one before the current)")]
    readonly string? Release;

    [Parameter("Time (UTC, HH:mm:ss) of OVH's own daily backup of the PostgreSQL cluster; empty leaves OVH's default")]
    readonly string? DbBackupTime = "02:00:00";

    [Parameter("Restore: the backup to restore (default: the latest; Backups lists them)", Name = "backup")]
    readonly string? BackupId;

    [Parameter("Backups kept in the environment's bucket: Backup deletes the oldest beyond this number")]
    readonly int KeepBackups = 14;

    [Parameter("Down: do not take a final backup of the database first")]
    readonly bool NoBackup;

    [Parameter("Rotate: what to rotate (db-password, jwt-key, api-tokens, deploy-key)")]
    readonly string? What;

    [Parameter("Rotate --what jwt-key: seconds an old key stays published (the API's tokens live 1 h)")]
    readonly double JwtKeyOverlap = 3900;

    [Parameter("Render: directory to write the rendered release to")]
    readonly string? Output;

    // --- the sandbox cloud (SandboxCloud)

    [Parameter("SandboxCloud: port of the OVH/OpenStack emulator on 127.0.0.1")]
    readonly int SandboxApiPort = 18080;

    [Parameter("SandboxCloud: port of its S3")]
    readonly int SandboxS3Port = 18081;

    [Parameter("SandboxCloud: the directory of its instance's state (host key, sshd, registry storage, marker)")]
    readonly string SandboxDirectory = "/var/lib/accoreboot-sandbox";

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

    [Parameter("Allow Apply to replace or delete the instance or the database of a protected environment")]
    readonly bool AllowReplace;

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
