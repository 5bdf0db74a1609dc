using AccoReboot.Deploy;
using BuildEngine;

namespace AccoReboot.Product;

/// <summary>The deployed product seen from outside: where it answers (after Up) and its device-to-app journey (Smoke).</summary>
sealed class ProductCheck(DeploymentInputs inputs, BuildLog log, CancellationToken cancellationToken)
{
    public async Task SmokeAsync()
    {
        var endpoints = await EndpointsAsync();
        var admin = (await inputs.EnvironmentCredentials()).ApiAdminToken;
        log.Info($"Smoke of {inputs.Environment} on {endpoints.Site} (MQTT {endpoints.MqttHost}:{endpoints.MqttPort}):");
        await new DeviceJourney(endpoints, admin, inputs.Masker, log, cancellationToken).RunAsync();
    }

    /// <summary>The lines Up ends with: where everything answers, and what to run next.</summary>
    public async Task DescribeAsync()
    {
        var endpoints = await EndpointsAsync();
        var env = inputs.Environment;
        log.Success($"{env} is up:");
        foreach (var line in endpoints.Describe()) log.Info("  " + line);
        log.Info($"Next: ./build.sh Smoke --env {env} (the device-to-app journey) · Status --env {env} · Logs --env {env} [--service api] · Down --env {env}");
    }

    private async Task<PublicEndpoints> EndpointsAsync()
    {
        var session = await inputs.OpenSession();
        var (site, _) = await StackConnection.ReadAsync(inputs, session, cancellationToken);
        return await PublicSite.EndpointsAsync(inputs.Stack, site.Ipv4, log, cancellationToken);
    }
}
