using AccoReboot.Deploy.Remote;
using BuildEngine;
using Spectre.Console;

namespace AccoReboot.Deploy;

/// <summary>Status and Logs: read-only looks at the running stack, over one SSH connection each, without the state lock.</summary>
sealed class StackInspector(DeploymentInputs inputs, BuildLog log, CancellationToken cancellationToken)
{
    public async Task StatusAsync()
    {
        var (site, stored, ssh) = await ConnectAsync();
        await using var _ = ssh;
        var facts = await inputs.Deployer(log).FactsAsync(ssh, cancellationToken);
        if (facts.Current == null)
        {
            log.Warn($"Nothing is deployed on {site.Ipv4} yet{(facts.Marker ? "" : " (cloud-init has not finished)")}: run Deploy --env {inputs.Environment}.");
            return;
        }
        var services = StackServices.Parse((await ssh.RunAsync(inputs.Layout.Services(), ct: cancellationToken)).Output);
        var table = new Table().Border(TableBorder.Rounded).AddColumn("Service").AddColumn("State").AddColumn("Health").AddColumn("Image").AddColumn("Status");
        foreach (var name in StackServices.Expected.Union(services.Select(s => s.Service)))
        {
            var service = services.FirstOrDefault(s => s.Service == name);
            table.AddRow(Markup.Escape(name), Markup.Escape(service?.State ?? "missing"), Markup.Escape(service?.Health is { Length: > 0 } h ? h : "-"),
                Markup.Escape(service?.Image ?? ""), Markup.Escape(service?.Status ?? ""));
        }
        log.Console.Write(table);
        var recorded = stored?.ReleaseOn(site.InstanceId);
        log.Info($"Release {facts.Current}" + (recorded?.Id == facts.Current ? $", deployed {recorded.At.UtcDateTime:yyyy-MM-dd HH:mm} UTC by {recorded.By}" : ""));
        if (recorded != null && recorded.Id != facts.Current)
            log.Warn($"The state records release {recorded.Id}, the host runs {facts.Current}: someone changed the host outside Deploy/Rollback.");
        var disk = (await ssh.RunAsync(inputs.Layout.Disk(), ct: cancellationToken)).Output;
        log.Info("Disk: " + DiskUsage.Describe(disk));
        if (DiskUsage.Warning(disk, site.Ipv4) is { } full) log.Warn(full);
        var audit = (await ssh.RunAsync(inputs.Layout.AuditTail(3), ct: cancellationToken)).Output.TrimEnd();
        if (audit.Length > 0) log.Info("Last deploys:\n" + audit);
        if (!StackServices.AllUp(services))
            throw new BuildFailure($"Not every service of {inputs.Environment} is up and healthy: see Logs --env {inputs.Environment} --service <name>.");
    }

    public async Task LogsAsync(string? service, bool follow, int tail)
    {
        if (service != null && !StackServices.Expected.Contains(service))
            throw new BuildFailure($"--service {service} is not a service of the stack; it has {string.Join(", ", StackServices.Expected)}.");
        if (tail < 0) throw new BuildFailure($"--tail {tail}: give a number of lines, 0 or more.");
        var (site, _, ssh) = await ConnectAsync();
        await using var __ = ssh;
        var facts = await inputs.Deployer(log).FactsAsync(ssh, cancellationToken);
        if (facts.Current == null) throw new BuildFailure($"Nothing is deployed on {site.Ipv4} yet: there are no logs.");
        try
        {
            var exit = await ssh.StreamAsync(inputs.Layout.Logs(service, follow, tail), line => log.Raw(LogLine.Clean(line)), cancellationToken);
            if (exit != 0) throw new BuildFailure($"docker compose logs on {site.Ipv4} ended with exit code {exit}.");
        }
        catch (OperationCanceledException) when (follow)
        {
            // Ctrl+C ends a --follow: that is how it is meant to stop
        }
    }

    private async Task<(DeployedEnvironment site, State.StateDocument? state, IRemoteHost ssh)> ConnectAsync()
    {
        var session = await inputs.OpenSession();
        var (site, state) = await StackConnection.ReadAsync(inputs, session, cancellationToken);
        var ssh = await new TrustedConnection(log).OpenAsync(StackConnection.Target(inputs, session, site, await inputs.DeployKey(), null), cancellationToken);
        return (site, state, ssh);
    }
}
