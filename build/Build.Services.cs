using AccoReboot.Cloud.Http;
using AccoReboot.Deploy;
using AccoReboot.Infra;
using AccoReboot.Cloud;
using AccoReboot.Session;
using AccoReboot.Secrets;
using AccoReboot.Secrets.Age;
using BuildEngine;

partial class Build
{
    /// <summary>The build's one clock: cloud deadlines and retries, polling, the state lock, seals, releases.</summary>
    static TimeProvider Clock => TimeProvider.System;

    TestSuite TestSuite => new(RootDirectory, Processes, CancellationToken);
    WorkflowFiles WorkflowFiles => new(this, Log);

    // Secrets: created on first use, so targets that need none never look for an age identity.
    SopsDotenvStore? _sopsStore;
    SopsDotenvStore SopsStore => _sopsStore ??= StoreFor(Env == "sandbox" || CommonCredentials.Contains("sandbox"));

    // the sandbox's test key is committed: --env sandbox (and its cloud) work without setting SOPS_AGE_KEY_FILE
    SopsDotenvStore StoreFor(bool sandbox) => new(RootDirectory,
        new AgeIdentitySources(ProcessEnvironment, Processes, sandbox ? [Path.Combine(RootDirectory, "credentials", "sandbox", "age-key.txt")] : []), Clock);
    SopsConfig SopsConfig() => AccoReboot.Secrets.SopsConfig.Load(Path.Combine(RootDirectory, ".sops.yaml"), ".sops.yaml");
    CredentialsFiles CredentialsFiles => new(RootDirectory, CommonCredentials);
    CredentialsLoader? _credentials;
    CredentialsLoader Credentials => _credentials ??= new(SopsStore, Secrets, CommonCredentials);
    SopsEditor SopsEditor => new(SopsStore, SopsConfig, new TextEditor(ProcessEnvironment), Confirm, ProcessEnvironment, Log);
    SopsKeyUpdater SopsKeyUpdater => new(SopsStore, SopsConfig, Log);
    SecretExec SecretExec => new(Credentials, Processes, RootDirectory);
    EditedCredentials EditedCredentials => CredentialsFiles.ToEdit(CredentialsFile, Env);

    // State of every environment: each profile says where its state is, and which common credentials open it
    AccoReboot.State.StateOverview StateOverview => new(Log, CancellationToken);

    IReadOnlyList<AccoReboot.State.EnvironmentStateSource> StateSources =>
        Profiles.Available(RootDirectory).Select(environment =>
        {
            var profile = ProfileValues.Read(RootDirectory, environment);
            var commonFile = profile.Text("CommonCredentials") ?? CommonCredentials;
            return new AccoReboot.State.EnvironmentStateSource(environment, async () =>
            {
                var common = await new CredentialsLoader(StoreFor(environment == "sandbox"), Secrets, commonFile).CommonAsync(CancellationToken);
                var settings = Settings with
                {
                    Name = environment,
                    StateBucket = profile.Text("StateBucket") ?? $"accoreboot-state-{environment}",
                    StateRegion = profile.Text("StateRegion") ?? "GRA",
                    S3Endpoint = profile.Text("S3Endpoint"),
                };
                return EnvironmentSession.OpenState(settings.Location, common, Clock);
            });
        }).ToList();

    // The API image
    static readonly HttpClient RegistryHttp = new() { Timeout = TimeSpan.FromSeconds(30) };

    AccoReboot.Docker.ImagePublisher IContainerImage.Images => new(
        new AccoReboot.Docker.ImageSettings(Registry, ImageRepository, BaseImage, BuildArguments, BuildCaFile),
        RootDirectory, new AccoReboot.Docker.DockerCli(Processes, ProcessEnvironment), Processes, ProcessEnvironment,
        () => Credentials.CommonAsync(CancellationToken),
        (user, password) => new AccoReboot.Docker.RegistryClient(RegistryHttp, user, password),
        Log, CancellationToken);

    // Sandbox
    AccoReboot.Sandbox.SandboxLauncher SandboxLauncher => new(SandboxDirectory, SandboxApiPort, Log, CancellationToken);
    AccoReboot.Sandbox.SandboxCloud SandboxCloudService => new(RootDirectory, SandboxCredentials, new AccoReboot.Sandbox.SandboxImages(RootDirectory, Processes, Log), Processes, Log);
    AccoReboot.Sandbox.SandboxCloudSettings SandboxCloudSettings => new(SandboxApiPort, SandboxS3Port, SandboxDbDelay, SandboxInstanceDelay, SandboxUpdateDelay);

    /// <summary>The sandbox's credentials, whatever --env says: its cloud accepts those and no others.</summary>
    CredentialsLoader SandboxCredentials => new(
        StoreFor(sandbox: true), Secrets, ProfileValues.Read(RootDirectory, "sandbox").Text(nameof(CommonCredentials)) ?? "credentials/sandbox-common.enc.env");

    /// <summary>
    /// The sandbox's instance, database and registry. With --env sandbox, from the bound parameters (the profile, and
    /// NUKE_* variables over it: how the tests run a sandbox of their own beside the user's); without, from the
    /// sandbox profile, so that the cloud and --env sandbox agree.
    /// </summary>
    AccoReboot.Sandbox.SandboxHostSettings SandboxHostSettings
    {
        get
        {
            var profile = ProfileValues.Read(RootDirectory, "sandbox");
            var bound = Env == "sandbox";
            var registry = bound ? Registry : profile.Text(nameof(Registry)) ?? "127.0.0.1:18082";
            if (!registry.StartsWith("127.0.0.1:", StringComparison.Ordinal) || !int.TryParse(registry["127.0.0.1:".Length..], out var registryPort))
                throw new BuildFailure($"Registry of the sandbox is {registry}: the sandbox's registry is 127.0.0.1:<port>.");
            var instance = new AccoReboot.Sandbox.Host.SandboxInstanceSettings(
                bound ? SshPort : profile.Number(nameof(SshPort)) ?? 2222,
                bound ? DeployUser : profile.Text(nameof(DeployUser)) ?? "accoreboot-deploy",
                bound ? AppDirectory : profile.Text(nameof(AppDirectory)) ?? "/opt/accoreboot-sandbox",
                bound ? MarkerFile : profile.Text(nameof(MarkerFile)) ?? "/var/lib/accoreboot-sandbox/boot-finished-docker",
                bound ? StackProject : profile.Text(nameof(StackProject)) ?? "accoreboot-sandbox",
                SandboxDirectory);
            return new(instance, bound ? StackNetwork : profile.Text(nameof(StackNetwork)) ?? "accoreboot-sandbox", registryPort);
        }
    }

    // Provisioning
    TemplateRenderer Templates => new(Path.Combine(RootDirectory, "templates"));
    Provisioner Provisioner => new(ProvisioningInputs, Log, Confirm, CancellationToken);

    EnvironmentSettings Settings => new(
        Env ?? "", OvhEndpoint, IdentityUrl, Region, Flavor, Image,
        new DatabaseSpec(DbVersion, DbPlan, DbFlavor, DbRegion, DbNodes, DbDiskSize, Databases, DbUser, DbUserRoles),
        AdminCidrs, Protected, StateBucket ?? $"accoreboot-state-{Env}", StateRegion, S3Endpoint,
        PollSettings.Default with { Interval = TimeSpan.FromSeconds(PollInterval) },
        (PollInterval < 1 ? RetrySettings.Fast : new RetrySettings()) with { Attempt = TimeSpan.FromSeconds(CallTimeout), Clock = Clock });

    ProvisioningInputs ProvisioningInputs => new(
        Settings,
        async () => EnvironmentSession.Open(Settings.Location, await Credentials.CommonAsync(CancellationToken), await Credentials.EnvironmentAsync(Env!, CancellationToken), Clock),
        DesiredEnvironmentAsync,
        SealForEnvironment,
        Operator.Describe(ProcessEnvironment),
        Clock);

    async Task<DesiredEnvironment> DesiredEnvironmentAsync()
    {
        var common = await Credentials.CommonAsync(CancellationToken);
        var userData = Templates.Render("cloud-init.yaml", CloudInitModel.For(Env!, common.SshPublicKey, DeployUser, AppDirectory, MarkerFile));
        return new DesiredEnvironment(Env!, Region, Flavor, Image, Settings.Database, AdminCidrs, common.SshPublicKey.Trim(), userData, Protected,
            ExposedPorts.Of(HttpPort, HttpsPort, MqttPort, EmqxDashboard ? DashboardPort : null));
    }

    /// <summary>Seals a secret (the database password) to the recipients of the environment's credentials file.</summary>
    Task<string> SealForEnvironment(string secret)
    {
        var recipients = SopsConfig().RecipientsFor(CredentialSchema.EnvironmentFile(Env!));
        return Task.FromResult(AgeArmor.Wrap(AgeFile.Encrypt(System.Text.Encoding.UTF8.GetBytes(secret), recipients)));
    }

    // The stack on the instance: Deploy, Rollback, Status, Logs, Ssh, Render
    Deployment Deployment => new(DeploymentInputs, Log, CancellationToken);
    StackInspector StackInspector => new(DeploymentInputs, Log, CancellationToken);
    InteractiveShell InteractiveShell => new(DeploymentInputs, Log, CancellationToken);
    ReleasePreview ReleasePreview => new(DeploymentInputs, Log);
    MachineSetup MachineSetup => new(RootDirectory, Processes, Log, CancellationToken);
    AccoReboot.Product.ProductCheck ProductCheck => new(DeploymentInputs, Log, CancellationToken);

    DeploymentInputs DeploymentInputs => new(
        Env ?? "",
        StackSettings,
        new SshSettings(SshPort, DeployUser, KnownHosts),
        new AccoReboot.Deploy.Remote.RemoteLayout(AppDirectory, StackProject, MarkerFile),
        new DeployOptions(TimeSpan.FromSeconds(MarkerTimeout), TimeSpan.FromSeconds(UpTimeout), TimeSpan.FromSeconds(HealthTimeout),
            TimeSpan.FromSeconds(Math.Min(PollInterval, 2)), KeepReleases, ForceUnlock),
        DbUser,
        Databases.ElementAtOrDefault(0) ?? throw new BuildFailure("--databases names no database: the first is the API's, the second PowerSync's storage."),
        Databases.ElementAtOrDefault(1) ?? throw new BuildFailure("--databases names one database: the second is PowerSync's bucket storage (powersync_storage)."),
        Registry,
        ProvisioningInputs.OpenSession,
        () => Credentials.CommonAsync(CancellationToken),
        () => Credentials.EnvironmentAsync(Env!, CancellationToken),
        async () => (await ((IContainerImage)this).Images.ImageAsync()).ToString(),
        UnsealSecret,
        Templates,
        Secrets,
        Operator.Describe(ProcessEnvironment),
        Clock);

    StackSettings StackSettings => new(
        Env ?? "", Domain, new AcmeSettings(AcmeEmail, AcmeCa, AcmeCaRoot), PublicBind, HttpPort, HttpsPort, MqttPort, EmqxDashboard, DashboardPort,
        new StackImages("(the API image of this commit)", EmqxImage, PowerSyncImage, CaddyImage),
        PullPolicy, StackNetwork, ExternalNetwork, DatabaseTls, PowerSyncAudience, StackProject, AppDirectory, HealthInterval);

    /// <summary>Opens a secret the state holds sealed (the database password) with the user's age identity.</summary>
    async Task<string> UnsealSecret(string sealedSecret)
    {
        var identities = await SopsStore.IdentitiesAsync(CancellationToken);
        try
        {
            return System.Text.Encoding.UTF8.GetString(AgeFile.Decrypt(AgeArmor.Unwrap(sealedSecret), identities));
        }
        catch (AgeFile.NoMatchingIdentity)
        {
            throw new BuildFailure($"The database password in the state of {Env} is sealed to the recipients of credentials/{Env}.enc.env, and none of your age identities is one of them: ask for access (SopsUpdateKeys), or run Apply to reset it.");
        }
    }
}
