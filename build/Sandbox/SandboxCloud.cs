using AccoReboot.Sandbox.Emulator;
using AccoReboot.Sandbox.Host;
using AccoReboot.Secrets;
using BuildEngine;

namespace AccoReboot.Sandbox;

/// <summary>
/// The cloud of --env sandbox, on 127.0.0.1 of this machine: the OVH/OpenStack/S3 emulator (accepting the
/// sandbox credentials), a real PostgreSQL behind its managed database, a real registry, and this machine as the
/// instance (OpenSSH, Docker). Runs in the foreground until Ctrl+C, then removes what the stack left.
/// </summary>
sealed class SandboxCloud(string root, CredentialsLoader credentials, SandboxImages images, ProcessRunner processes, BuildLog log)
{
    public async Task RunAsync(SandboxCloudSettings settings, SandboxHostSettings host, CancellationToken cancellationToken)
    {
        if (!Environment.IsPrivilegedProcess)
            throw new BuildFailure("SandboxCloud plays the instance (an SSH server, the deploy user, /opt): run it as root, e.g. sudo ./build.sh SandboxCloud.");
        var common = await credentials.CommonAsync(cancellationToken);
        var environment = await credentials.EnvironmentAsync(host.Environment, cancellationToken);
        await images.EnsureAsync(cancellationToken);

        var docker = new SandboxDocker(processes);
        using var registry = new SandboxRegistry(host.RegistryPort, Path.Combine(host.Instance.StateDirectory, "registry"));
        await registry.StartAsync(common.RegistryUsername, common.RegistryPassword, cancellationToken);
        using var instance = new SandboxInstance(host.Instance, docker, processes);
        instance.Wipe(); // what a previous run left: its cloud is gone with it
        await instance.StartAsync(cancellationToken);
        using var database = new SandboxDatabase(docker, host.Network, host.DatabaseContainer, host.DatabaseImage);
        await database.StartAsync(cancellationToken);
        try
        {
            await RunEmulatorAsync(settings, host, common, environment, instance, database, cancellationToken);
        }
        finally
        {
            instance.Wipe();
        }
    }

    private async Task RunEmulatorAsync(SandboxCloudSettings settings, SandboxHostSettings host, CommonCredentials common, EnvironmentCredentials environment,
        SandboxInstance instance, SandboxDatabase database, CancellationToken cancellationToken)
    {
        var options = new EmulatorOptions
        {
            ProjectId = environment.OvhProjectId,
            ApplicationKey = common.OvhApplicationKey,
            ApplicationSecret = common.OvhApplicationSecret,
            ConsumerKey = common.OvhConsumerKey,
            OpenStackUsername = environment.OpenStackUsername,
            OpenStackPassword = environment.OpenStackPassword,
            S3AccessKey = common.S3AccessKey,
            DatabaseCreateDelay = TimeSpan.FromSeconds(settings.DatabaseCreateDelay),
            DatabaseUpdateDelay = TimeSpan.FromSeconds(settings.DatabaseUpdateDelay),
            ServerBuildDelay = TimeSpan.FromSeconds(settings.ServerBuildDelay),
            InstanceAddress = _ => "127.0.0.1",
            ConsoleOutput = instance.ConsoleOutput,
            ServerCreated = (_, authorizedKey) => instance.Boot(authorizedKey),
            ServerDeleted = _ => instance.Wipe(),
            ServerRebooted = _ => instance.Reboot(),
            Postgres = database,
            CheckResponses = false,
        };
        await using var emulator = new CloudEmulator(options, Path.Combine(root, "build", "Sandbox", "apispecs"), apiPort: settings.ApiPort, s3Port: settings.S3Port);
        try
        {
            await emulator.StartAsync();
        }
        catch (IOException e)
        {
            throw new BuildFailure($"The sandbox cloud cannot listen on 127.0.0.1:{settings.ApiPort}/{settings.S3Port} ({e.Message}): is it already running?");
        }
        // the emulated zones answer DNS, and an ACME CA validates against them: Domain's HTTPS, for real
        using var dns = host.DnsPort > 0 ? new SandboxDns(host.DnsPort, name => EmulatedDns.AddressesOf(emulator.World, name)) : null;
        dns?.Start();
        using var acme = host.Acme is { } acmeSettings ? new SandboxAcme(acmeSettings, new SandboxDocker(processes)) : null;
        if (acme != null) await acme.StartAsync(host.DnsPort, cancellationToken);
        log.Success($"Sandbox cloud on {emulator.BaseUrl} (OVH {emulator.OvhEndpoint}, identity {emulator.IdentityUrl}, S3 {emulator.S3Url}); " +
                    $"instance {host.Instance.DeployUser}@127.0.0.1:{host.Instance.SshPort} host key {instance.HostKey.Fingerprint}; PostgreSQL {database.Host}:{database.Port}" +
                    (host.Acme is { } a ? $"; DNS 127.0.0.1:{host.DnsPort}, ACME CA https://{a.DirectoryHost}:{a.DirectoryPort}/dir" : "") + ". Ctrl+C stops it.");
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
        if (emulator.Violations.Count > 0)
            log.Warn($"The sandbox cloud refused {emulator.Violations.Count} request(s) that do not match the API specs; first: {emulator.Violations[0]}");
    }
}
