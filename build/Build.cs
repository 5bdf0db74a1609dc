using BuildEngine;

/// <summary>
/// AccoReboot's infrastructure build: the seed's Makefile, target for target. Each target says what it does and
/// after what; the how lives in the services (Secrets/, Cloud/, Infra/, State/, Deploy/, Docker/).
/// </summary>
[GitHubActions("ci", GitHubActionsImage.UbuntuLatest,
    On = [GitHubActionsTrigger.Push, GitHubActionsTrigger.PullRequest],
    Setup = "sudo -E env \"PATH=$PATH\" ./build.sh Setup",
    InvokedTargets = [nameof(Test)],
    TimeoutMinutes = 60)]
[GitHubActions("deploy", GitHubActionsImage.UbuntuLatest,
    OnWorkflowDispatchRequiredInputs = ["env"],
    ExcludedProfiles = ["sandbox"],
    SummaryTargets = ["Plan"],
    InvokedTargets = ["Up"],
    Arguments = ["--yes"],
    ImportSecrets = ["SOPS_AGE_KEY"],
    EnvironmentName = "${{ inputs.env }}",
    ConcurrencyGroup = "deploy-${{ inputs.env }}",
    TimeoutMinutes = 60)]
partial class Build : NukeBuild, IContainerImage
{
    public static int Main() => Execute<Build>(x => x.Status);

    Target Init => _ => _
        .Description("Create the environment's state bucket (once per environment)")
        .Requires(() => Env)
        .After<IContainerImage>(x => x.Push)
        .Executes(() => Provisioner.InitAsync());

    Target Plan => _ => _
        .Description("Show what Apply would change (exit 2 = changes pending)")
        .Requires(() => Env)
        .Executes(async () => ExitCode = await Provisioner.PlanAsync(Json));

    Target Apply => _ => _
        .Description("Create or update the OVH resources: instance, security group, PostgreSQL, databases, user, IP restriction")
        .Requires(() => Env)
        .After(Init)
        .Executes(() => Provisioner.ApplyAsync(ForceUnlock, DestroyDatabase, AllowReplace));

    Target Deploy => _ => _
        .Description("Render, upload and start the stack on the instance; roll back if unhealthy")
        .Requires(() => Env)
        .After(Apply)
        .After<IContainerImage>(x => x.Push)
        .Executes(() => Deployment.DeployAsync(ForceUnlock));

    Target SandboxUp => _ => _
        .Description("--env sandbox: install what the sandbox needs (Setup) and start its cloud in the background; Up does it")
        .OnlyWhenStatic(() => Env != null && Profile.IsSandbox)
        .Before<IContainerImage>(x => x.Build)
        .Executes(async () =>
        {
            await MachineSetup.RunAsync();
            await SandboxLauncher.StartAsync();
        });

    Target Up => _ => _
        .Description("Everything: Build, Push, Init, Apply, Deploy")
        .Requires(() => Env)
        .DependsOn(SandboxUp)
        .DependsOn<IContainerImage>(x => x.Build, x => x.Push)
        .DependsOn(Init, Apply, Deploy)
        .Executes(() => ProductCheck.DescribeAsync());

    Target Smoke => _ => _
        .Description("The device-to-app journey on the deployed environment: MQTT sign-in and refusals, a position into the database and out through PowerSync")
        .Requires(() => Env)
        .After(Deploy)
        .Executes(() => ProductCheck.SmokeAsync());

    Target Backup => _ => _
        .Description("Dump the database on the instance, encrypt it to the environment's recipients, keep it in its bucket under backups/")
        .Requires(() => Env)
        .After(Deploy, Smoke)
        .Executes(() => DatabaseBackups.BackupAsync(KeepBackups));

    Target Backups => _ => _
        .Description("List the environment's backups, newest first")
        .Requires(() => Env)
        .Executes(() => DatabaseBackups.ListAsync());

    Target Restore => _ => _
        .Description("Load a backup's rows back into the database (--backup <id>, default the newest; asks first)")
        .Requires(() => Env)
        .After(Deploy, Backup)
        .Executes(() => DatabaseBackups.RestoreAsync(BackupId, ForceUnlock));

    Target ResilienceCrash => _ => _
        .Description("Kill each container of the deployed stack in turn: back healthy by its restart policy within 30 s (report under artifacts/)")
        .Requires(() => Env)
        .After(Deploy, Smoke)
        .Executes(() => Resilience.CrashAsync());

    Target ResilienceReboot => _ => _
        .Description("Reboot the instance (HARD): every service healthy again within 3 min, a row written before still there")
        .Requires(() => Env)
        .After(ResilienceCrash)
        .Executes(() => Resilience.RebootAsync());

    Target ResilienceRecreate => _ => _
        .Description("Delete the instance and bring it back with Apply and Deploy: within their time + 10 %, tokens issued before still valid")
        .Requires(() => Env)
        .After(ResilienceReboot)
        .Executes(() => Resilience.RecreateAsync());

    Target Down => _ => _
        .Description("Delete the environment's resources and its state (asks first; a final backup first unless --no-backup)")
        .Requires(() => Env)
        .Executes(() => Provisioner.DownAsync(ForceUnlock, DestroyDatabase, NoBackup ? null : () => DatabaseBackups.FinalBackupAsync(KeepBackups)));

    Target SandboxDown => _ => _
        .Description("--env sandbox: stop the sandbox cloud Up started in the background; Down does it")
        .OnlyWhenStatic(() => Env != null && Profile.IsSandbox)
        .TriggeredBy(Down)
        .Executes(() => SandboxLauncher.StopAsync());

    Target Status => _ => _
        .Description("Show the containers, release and disk of the environment")
        .Requires(() => Env)
        .Executes(() => StackInspector.StatusAsync());

    Target Logs => _ => _
        .Description("Print the stack's logs: --service <name>, --follow, --tail <lines>")
        .Requires(() => Env)
        .Executes(() => StackInspector.LogsAsync(Service, Follow, Tail));

    Target Rollback => _ => _
        .Description("Go back to the previous release on the instance (or --release <id>)")
        .Requires(() => Env)
        .Executes(() => Deployment.RollbackAsync(Release, ForceUnlock));

    Target Render => _ => _
        .Description("Write the files Deploy would upload to --output <dir>, secrets as ****")
        .Requires(() => Env)
        .Executes(() => ReleasePreview.WriteAsync(Output));

    Target Ssh => _ => _
        .Description("Open a shell on the instance (pinned host key), or run: Ssh --env <env> -- <command>")
        .Requires(() => Env)
        .Executes(async () => ExitCode = await InteractiveShell.RunAsync(PassthroughArguments));

    Target Stop => _ => _
        .Description("Stop the instance (a stopped OVH instance is still billed)")
        .Requires(() => Env)
        .Executes(() => Provisioner.StopAsync(ForceUnlock));

    Target Start => _ => _
        .Description("Start the stopped instance")
        .Requires(() => Env)
        .Executes(() => Provisioner.StartAsync(ForceUnlock));

    Target Diagram => _ => _
        .Description("Draw the environment (as declared, and as its state records it when readable) into docs/architecture-<env>.svg")
        .Requires(() => Env)
        .Executes(() => ArchitectureDiagram.WriteAsync(Profile, () => AccoReboot.Session.EnvironmentSession.OpenStateAsync(Profile.Cloud.Location, () => Credentials.CommonAsync(CancellationToken), Clock)));

    Target State => _ => _
        .Description("One table over all environments: resources, IPv4, DB status, last apply")
        .Executes(() => StateOverview.ShowAsync(StateSources));

    Target SopsEdit => _ => _
        .Description("Edit an encrypted credentials file: --file common, or --env <env>")
        .Executes(() => SopsEditor.EditAsync(EditedCredentials, CancellationToken));

    Target Rotate => _ => _
        .Description("Replace a secret and put the new one in service: --what db-password (Apply resets it, Deploy), jwt-key (with an overlap), api-tokens (new values in the credentials, Deploy) or deploy-key (on the running instance, then the keypair)")
        .Requires(() => Env)
        .Executes(() => SecretRotation.RotateAsync(What));

    Target SopsUpdateKeys => _ => _
        .Description("Re-wrap every credentials file for the recipients in .sops.yaml, and re-seal every environment's state to them")
        .Executes(async () =>
        {
            await SopsKeyUpdater.UpdateAllAsync(CredentialsFiles.All, CancellationToken);
            await SealedStateUpdater.UpdateAllAsync(SealedStateSources);
        });

    Target Exec => _ => _
        .Description("Run a command with the decrypted credentials: Exec [--env <env>] -- <command> [args…]")
        .Executes(() => SecretExec.RunAsync(PassthroughArguments, CredentialsFiles.For(Env), CancellationToken));

    Target SandboxCloud => _ => _
        .Description("Run the cloud --env sandbox talks to, on 127.0.0.1: OVH/OpenStack/S3 emulator, PostgreSQL, registry, this machine as the instance (until Ctrl+C)")
        .Executes(() => SandboxProgram.RunAsync(SandboxRequest));

    Target Setup => _ => _
        .Description("Install and start what the tests and the sandbox need on this machine (Debian/Ubuntu; seconds when done)")
        .Executes(() => MachineSetup.RunAsync());

    Target Test => _ => _
        .Description("Run the test suites: the build's xunit tests, the API's vitest, the sandbox stand-ins' node tests")
        .DependsOn(Setup)
        .Executes(() => TestSuite.Run(Filter));

    Target GenerateWorkflows => _ => _
        .Description("Regenerate .github/workflows from the [GitHubActions] attributes")
        .Executes(() => WorkflowFiles.Regenerate());
}
