using AccoReboot.Sandbox.Emulator;
using AccoReboot.Secrets;
using BuildEngine;

namespace AccoReboot.Sandbox;

/// <summary>How slow the sandbox cloud is (seconds), and where it listens.</summary>
sealed record SandboxCloudSettings(int ApiPort, int S3Port, double DatabaseCreateDelay, double ServerBuildDelay, double DatabaseUpdateDelay);

/// <summary>
/// The cloud of --env sandbox: the emulator on fixed ports of 127.0.0.1, accepting the sandbox credentials
/// (credentials/sandbox*.enc.env), its instances answering at 127.0.0.1. Runs in the foreground until Ctrl+C.
/// </summary>
sealed class SandboxCloud(string root, CredentialsLoader credentials, BuildLog log)
{
    public async Task RunAsync(SandboxCloudSettings settings, CancellationToken cancellationToken)
    {
        var common = await credentials.CommonAsync(cancellationToken);
        var environment = await credentials.EnvironmentAsync("sandbox", cancellationToken);
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
        log.Success($"Sandbox cloud on {emulator.BaseUrl} (OVH {emulator.OvhEndpoint}, identity {emulator.IdentityUrl}, S3 {emulator.S3Url}). Ctrl+C stops it.");
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
