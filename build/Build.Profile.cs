using AccoReboot.Cloud;
using AccoReboot.Cloud.Http;
using AccoReboot.Deploy;
using AccoReboot.Deploy.Remote;
using AccoReboot.Infra;
using BuildEngine;

partial class Build
{
    /// <summary>The build's one clock: cloud deadlines and retries, polling, the state lock, seals, releases.</summary>
    static TimeProvider Clock => TimeProvider.System;

    EnvironmentProfile? _profile;

    /// <summary>The run's environment (--env), resolved once from the bound parameters.</summary>
    EnvironmentProfile Profile => _profile ??= Resolve();

    /// <summary>Any environment, resolved from its profile files as --env would (the run's own: with its command line).</summary>
    EnvironmentProfile ProfileOf(string environment) => environment == Env ? Profile : BoundTo<Build>(environment).Profile;

    /// <summary>The environment that is the local sandbox (its profile says Sandbox): its cloud is run here.</summary>
    EnvironmentProfile SandboxProfile => FindSandboxProfile()
        ?? throw new BuildFailure("No profile in .nuke/ is the sandbox (\"Sandbox\": true): restore .nuke/parameters.sandbox.json.");

    EnvironmentProfile? FindSandboxProfile() =>
        Env != null && Profile.IsSandbox ? Profile : Profiles.Available(RootDirectory).Select(ProfileOf).FirstOrDefault(p => p.IsSandbox);

    EnvironmentProfile Resolve()
    {
        var name = Env ?? throw new BuildFailure("This target works on one environment: add --env <name> (a profile of .nuke/).");
        if (Databases.Length < 2)
            throw new BuildFailure($"Databases of {name} lists {Databases.Length}: the first is the API's, the second PowerSync's bucket storage (powersync_storage).");
        var cloud = new EnvironmentSettings(
            name, OvhEndpoint, IdentityUrl, Region, Flavor, Image,
            new DatabaseSpec(DbVersion, DbPlan, DbFlavor, DbRegion, DbNodes, DbDiskSize, Databases, DbUser, DbUserRoles, DbBackupTime is { Length: > 0 } backupTime ? backupTime : null),
            AdminCidrs, ExposedPorts.Of(HttpPort, HttpsPort, MqttPort, Domain is { Length: > 0 } ? MqttTlsPort : null, EmqxDashboard ? DashboardPort : null), Protected,
            StateBucket ?? $"accoreboot-state-{name}", StateRegion, S3Endpoint,
            PollSettings.Default with { Interval = TimeSpan.FromSeconds(PollInterval) },
            (PollInterval < 1 ? RetrySettings.Fast : new RetrySettings()) with { Attempt = TimeSpan.FromSeconds(CallTimeout), Clock = Clock },
            Domain is { Length: > 0 } domain && ManageDns ? DnsName.Of(domain, DnsZone) : null);
        var stack = new StackSettings(
            name, Domain, new AcmeSettings(AcmeEmail, AcmeCa, AcmeCaRoot), PublicBind, HttpPort, HttpsPort, MqttPort, EmqxDashboard, DashboardPort,
            new StackImages("(the API image of this commit)", EmqxImage, PowerSyncImage, CaddyImage, DbToolsImage),
            PullPolicy, StackNetwork, ExternalNetwork, DatabaseTls, PowerSyncAudience, StackProject, AppDirectory, HealthInterval,
            MqttTlsPort: MqttTlsPort, CaddyExtraHosts: CaddyExtraHosts, DnsServer: DnsServer, SiteCaRoot: SiteCaRoot);
        var deploy = new DeployOptions(TimeSpan.FromSeconds(MarkerTimeout), TimeSpan.FromSeconds(UpTimeout), TimeSpan.FromSeconds(HealthTimeout),
            TimeSpan.FromSeconds(Math.Min(PollInterval, 2)), KeepReleases, ForceUnlock);
        return new EnvironmentProfile(name, Sandbox, cloud, stack, new SshSettings(SshPort, DeployUser, KnownHosts),
            new RemoteLayout(AppDirectory, StackProject, MarkerFile), deploy, Registry, CommonCredentials, Clock);
    }
}
