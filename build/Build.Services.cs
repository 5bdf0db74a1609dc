using AccoReboot.Deploy;
using AccoReboot.Infra;
using AccoReboot.Secrets;
using AccoReboot.Session;
using BuildEngine;

/// <summary>The composition root: each service made from the environment's profile, and nothing else done here.</summary>
partial class Build
{
    TestSuite TestSuite => new(RootDirectory, Processes, CancellationToken);
    WorkflowFiles WorkflowFiles => new(this, Log);

    // Secrets: created on first use, so targets that need none never look for an age identity.
    SopsDotenvStore? _sopsStore;
    SopsDotenvStore SopsStore => _sopsStore ??= StoreFor(Env != null ? Profile.IsSandbox : CommonCredentials == FindSandboxProfile()?.CommonCredentials);

    // the sandbox's test key is committed: --env sandbox (and its cloud) work without setting SOPS_AGE_KEY_FILE
    SopsDotenvStore StoreFor(bool sandbox) => new(RootDirectory,
        new AgeIdentitySources(ProcessEnvironment, Processes, sandbox ? [SandboxAgeKey] : []), Clock);
    string SandboxAgeKey => Path.Combine(RootDirectory, "credentials", "sandbox", "age-key.txt");
    SopsConfig SopsConfig() => AccoReboot.Secrets.SopsConfig.Load(Path.Combine(RootDirectory, ".sops.yaml"), ".sops.yaml");
    CredentialsFiles CredentialsFiles => new(RootDirectory, CommonCredentials);
    CredentialsLoader? _credentials;
    CredentialsLoader Credentials => _credentials ??= new(SopsStore, Secrets, Profile.CommonCredentials);
    CredentialsLoader CredentialsOf(EnvironmentProfile profile) => new(StoreFor(profile.IsSandbox), Secrets, profile.CommonCredentials);
    SopsEditor SopsEditor => new(SopsStore, SopsConfig, new TextEditor(ProcessEnvironment), Confirm, ProcessEnvironment, Log);
    SopsKeyUpdater SopsKeyUpdater => new(SopsStore, SopsConfig, Log);
    SealedStateUpdater SealedStateUpdater => new(Operator.Describe(ProcessEnvironment), Clock, Log, CancellationToken);
    IEnumerable<SealedStateSource> SealedStateSources => Profiles.Available(RootDirectory).Select(ProfileOf).Select(profile => new SealedStateSource(profile.Name,
        () => EnvironmentSession.OpenStateAsync(profile.Cloud.Location, () => CredentialsOf(profile).CommonAsync(CancellationToken), Clock),
        new StateSecrets(profile.Name, profile.EnvironmentCredentials, SopsConfig, StoreFor(profile.IsSandbox), CancellationToken)));
    SecretRotation SecretRotation => new(Profile.Name, Profile.Cloud.Protected, SopsStore, Profile.EnvironmentCredentials,
        why => Provisioner.MarkRotationDueAsync(AccoReboot.State.StateDocument.DatabasePasswordRotation, why, ForceUnlock),
        () => Provisioner.ApplyAsync(ForceUnlock, DestroyDatabase, AllowReplace),
        () =>
        {
            _credentials = null; _stateStore = null; // the credentials were rewritten: Deploy reads them again
            return Deployment.DeployAsync(ForceUnlock);
        },
        () => Deployment.RotateJwtKeyAsync(ForceUnlock),
        () => new DeployKeyRotation(DeploymentInputs, async key =>
            {
                await SecretRotation.KeepDeployKeyAsync(key);
                _credentials = null; _stateStore = null; // the credentials were rewritten: Apply reads the new key
            },
            () => Provisioner.ApplyAsync(ForceUnlock, DestroyDatabase, AllowReplace), Log, CancellationToken).RotateAsync(ForceUnlock),
        Secrets, Operator.Describe(ProcessEnvironment), Clock, Log, Confirm, CancellationToken);
    SecretExec SecretExec => new(new CredentialsLoader(SopsStore, Secrets, CommonCredentials), Processes, RootDirectory);
    EditedCredentials EditedCredentials => CredentialsFiles.ToEdit(CredentialsFile, Env);

    // State of every environment: each profile says where its state is, and which common credentials open it
    AccoReboot.State.StateOverview StateOverview => new(Log, CancellationToken);

    IReadOnlyList<AccoReboot.State.EnvironmentStateSource> StateSources =>
        Profiles.Available(RootDirectory).Select(ProfileOf).Select(profile => new AccoReboot.State.EnvironmentStateSource(profile.Name,
            async () => EnvironmentSession.OpenState(profile.Cloud.Location, await CredentialsOf(profile).CommonAsync(CancellationToken), Clock))).ToList();

    // The API image
    // its own class, so made on first use and not by the build's static constructor: HttpClient loads a dozen
    // assemblies, which every start (--help too) would pay
    static class RegistryHttp
    {
        public static readonly HttpClient Client = new() { Timeout = TimeSpan.FromSeconds(30) };
    }

    // one for the run: Build and Push share what it has learnt (the daemon answers)
    AccoReboot.Docker.DockerCli Docker => _docker ??= new(Processes, ProcessEnvironment);
    AccoReboot.Docker.DockerCli? _docker;

    AccoReboot.Docker.ImagePublisher IContainerImage.Images => new(
        new AccoReboot.Docker.ImageSettings(Registry, ImageRepository, BaseImage, BuildArguments, BuildCaFile),
        RootDirectory, Docker, Processes, ProcessEnvironment,
        () => new CredentialsLoader(SopsStore, Secrets, CommonCredentials).CommonAsync(CancellationToken),
        (user, password) => new AccoReboot.Docker.RegistryClient(RegistryHttp.Client, user, password),
        Log, CancellationToken);

    // Sandbox: its cloud plays the sandbox profile's environment, whatever --env says
    AccoReboot.Sandbox.SandboxLauncher SandboxLauncher => new(Profile.Name, SandboxDirectory, SandboxApiPort, Log, CancellationToken);
    AccoReboot.Sandbox.SandboxProgram SandboxProgram => new(RootDirectory, Log, CancellationToken);

    AccoReboot.Sandbox.SandboxRequest SandboxRequest => new(RootDirectory, SandboxProfile.CommonCredentials, SandboxAgeKey,
        new AccoReboot.Sandbox.SandboxCloudSettings(SandboxApiPort, SandboxS3Port, SandboxDbDelay, SandboxInstanceDelay, SandboxUpdateDelay),
        AccoReboot.Sandbox.SandboxHostSettings.Of(SandboxProfile.Name, SandboxProfile.Ssh, SandboxProfile.Layout, SandboxProfile.Stack, SandboxProfile.Registry, SandboxDirectory));

    // Provisioning
    TemplateRenderer Templates => new(Path.Combine(RootDirectory, "templates"));
    Provisioner Provisioner => new(ProvisioningInputs, Log, Confirm, CancellationToken);

    ProvisioningInputs ProvisioningInputs => new(
        Profile.Cloud,
        OpenSessionAsync,
        () => StateStore,
        DesiredEnvironmentAsync,
        StateSecrets.SealAsync,
        Operator.Describe(ProcessEnvironment),
        Clock);

    Task<EnvironmentSession> OpenSessionAsync() =>
        EnvironmentSession.OpenAsync(Profile.Cloud.Location, Credentials.CommonAsync(CancellationToken), Credentials.EnvironmentAsync(Profile.Name, CancellationToken), StateStore, Clock);

    // one store per run, made at once: its first request goes out while the credentials are decrypted
    AccoReboot.State.S3StateStore? _stateStore;
    AccoReboot.State.S3StateStore StateStore => _stateStore ??= EnvironmentSession.OpenState(Profile.Cloud.Location, Credentials.CommonAsync(CancellationToken), Clock);

    async Task<DesiredEnvironment> DesiredEnvironmentAsync()
    {
        var deployKey = await Credentials.DeployKeyAsync(Profile.Name, CancellationToken);
        var userData = Templates.Render("cloud-init.yaml", CloudInitModel.For(Profile.Name, deployKey.PublicKey, Profile.Ssh.User, Profile.Layout.AppDirectory, Profile.Layout.MarkerFile));
        return Profile.Cloud.Desired(deployKey.PublicKey, userData);
    }

    StateSecrets StateSecrets => new(Profile.Name, Profile.EnvironmentCredentials, SopsConfig, SopsStore, CancellationToken);

    // The stack on the instance: Deploy, Rollback, Status, Logs, Ssh, Render
    Deployment Deployment => new(DeploymentInputs, Log, Confirm, CancellationToken);
    StackInspector StackInspector => new(DeploymentInputs, Log, CancellationToken);
    InteractiveShell InteractiveShell => new(DeploymentInputs, Log, CancellationToken);
    ReleasePreview ReleasePreview => new(DeploymentInputs, Log);
    MachineSetup MachineSetup => new(RootDirectory, Processes, Log, CancellationToken);
    AccoReboot.Product.ProductCheck ProductCheck => new(DeploymentInputs, Log, CancellationToken);
    AccoReboot.Resilience.ResilienceChecks Resilience => new(DeploymentInputs,
        () => Provisioner.ApplyAsync(ForceUnlock, DestroyDatabase, AllowReplace), () => Deployment.DeployAsync(ForceUnlock),
        Path.Combine(RootDirectory, "artifacts"), Log, Confirm, CancellationToken);
    AccoReboot.Diagram.ArchitectureDiagram ArchitectureDiagram => new(Path.Combine(RootDirectory, "docs"), Log, CancellationToken);
    AccoReboot.Backups.DatabaseBackups DatabaseBackups => new(DeploymentInputs, StateSecrets, Log, Confirm, CancellationToken);

    DeploymentInputs DeploymentInputs => new(
        Profile.Name,
        Profile.Stack,
        Profile.Ssh,
        Profile.Layout,
        Profile.Deploy,
        Profile.Cloud.Database.User,
        Profile.DatabaseNames.App,
        Profile.DatabaseNames.Storage,
        Profile.Registry,
        OpenSessionAsync,
        () => Task.FromResult(StateStore),
        () => Credentials.CommonAsync(CancellationToken),
        () => Credentials.EnvironmentAsync(Profile.Name, CancellationToken),
        () => Credentials.DeployKeyAsync(Profile.Name, CancellationToken),
        async () => (await ((IContainerImage)this).Images.ImageAsync()).ToString(),
        StateSecrets.UnsealAsync,
        StateSecrets.SealAsync,
        Templates,
        Secrets,
        Operator.Describe(ProcessEnvironment),
        Clock,
        Profile.Cloud.Protected,
        TimeSpan.FromSeconds(JwtKeyOverlap),
        Path.Combine(RootDirectory, ".nuke", "temp", $"last-contact-{Profile.Name}.json"));
}
