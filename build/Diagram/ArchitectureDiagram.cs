using AccoReboot.State;
using BuildEngine;

namespace AccoReboot.Diagram;

/// <summary>
/// Diagram: the environment's picture into docs/architecture-&lt;env&gt;.svg, as declared by its profile and, when its
/// state can be read (credentials that open it, a reachable bucket), as the state records it.
/// </summary>
sealed class ArchitectureDiagram(string docsDirectory, BuildLog log, CancellationToken cancellationToken)
{
    public async Task WriteAsync(EnvironmentProfile profile, Func<Task<S3StateStore>> openState)
    {
        LiveFacts? live = null;
        try
        {
            var stored = await (await openState()).ReadAsync(cancellationToken);
            if (stored?.Document is { IsEmpty: false } state)
                live = new LiveFacts(state.Outputs?.InstanceId, state.Outputs?.Ipv4,
                    state.Outputs is { DatabaseHost: { } host, DatabasePort: { } port } ? $"{host}:{port}" : null, state.Outputs?.DatabaseStatus,
                    state.Outputs?.InstanceId is { } instance ? state.ReleaseOn(instance)?.Id : null, state.LastChange?.At);
            else log.Info($"{profile.Name} has no state yet: drawn as declared.");
        }
        catch (BuildFailure e)
        {
            log.Info($"Drawn as declared: the state of {profile.Name} could not be read ({e.Message.Split('\n')[0]}).");
        }
        var svg = EnvironmentDiagram.Render(Facts(profile, live));
        Directory.CreateDirectory(docsDirectory);
        var path = Path.Combine(docsDirectory, $"architecture-{profile.Name}.svg");
        await File.WriteAllTextAsync(path + ".tmp", svg, cancellationToken);
        File.Move(path + ".tmp", path, overwrite: true);
        log.Success($"Wrote {Path.GetRelativePath(Path.GetDirectoryName(docsDirectory)!, path)} ({(live != null ? "declared and live" : "as declared")}, {svg.Length / 1024.0:0.0} KiB).");
    }

    public static DiagramFacts Facts(EnvironmentProfile profile, LiveFacts? live)
    {
        var (cloud, stack, db) = (profile.Cloud, profile.Stack, profile.Cloud.Database);
        return new DiagramFacts(profile.Name, cloud.Region, cloud.Flavor, cloud.Image, cloud.Protected, stack.HttpPort, stack.HttpsPort, stack.MqttPort,
            stack.Dashboard ? stack.DashboardPort : null, cloud.AdminCidrs, stack.Domain is { Length: > 0 } domain ? domain : null,
            db.Version, db.Plan, db.Flavor, db.Nodes, db.Region, db.Databases, db.BackupTime, cloud.StateBucket, cloud.StateRegion,
            stack.Images.Emqx, stack.Images.PowerSync, stack.Images.Caddy, live);
    }
}
