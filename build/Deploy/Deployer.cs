using AccoReboot.Deploy.Remote;
using AccoReboot.Cloud;
using BuildEngine;

namespace AccoReboot.Deploy;

/// <summary>What a deploy reports back, for the state: the release, and the JWT keys on the host (null: not read).</summary>
sealed record DeployOutcome(string Release, bool Changed, IReadOnlyDictionary<string, string>? JwtKeys = null);

/// <summary>The release a rollback went back to, and the API image it runs.</summary>
sealed record RollbackOutcome(string Release, string ApiImage);

/// <summary>
/// A deploy over one SSH connection: wait for cloud-init, take the host's deploy lock, render, and when the
/// release differs from the running one upload it as one tar.gz, switch current atomically, bring the stack up
/// with compose --wait, check /health and the JWKS through Caddy, and go back to the previous release if any of
/// it fails. Every outcome is appended to the host's audit log.
/// </summary>
sealed class Deployer(ReleaseRenderer renderer, RemoteLayout layout, DeployOptions options, BuildLog log, string who, TimeProvider clock,
    Func<DeployTarget, CancellationToken, Task<IRemoteHost>> connect, Func<Stream, Stream>? uploadThrough = null)
{
    private Task<IRemoteHost> ConnectAsync(DeployTarget target, CancellationToken ct) => connect(target, ct);

    /// <summary>
    /// True when the host runs this very release and every container is up and healthy: one remote command, no lock,
    /// nothing written. Then Deploy has nothing to do.
    /// </summary>
    /// <remarks><paramref name="stack"/> is made while SSH connects; null when this commit's image is not the one deployed.</remarks>
    public async Task<bool> IsRunningAsync(DeployTarget target, Task<StackInputs?> stack, CancellationToken ct) =>
        await IsRunningAsync(await RunningFactsAsync(target, ct), stack);

    /// <summary>One connection, one command: cloud-init's marker, the running release's hash and the containers' state.</summary>
    public async Task<HostFacts> RunningFactsAsync(DeployTarget target, CancellationToken ct)
    {
        // nothing secret goes over this connection: the cheaper key exchange serves
        await using var ssh = await ConnectAsync(target with { Ssh = target.Ssh with { CarriesSecrets = false } }, ct);
        return await FactsAsync(ssh, ct, withServices: true);
    }

    /// <summary>
    /// Whether <paramref name="facts"/> show this very release running and every container up and healthy; the
    /// stack's inputs are waited for only when the host runs a release at all.
    /// </summary>
    public async Task<bool> IsRunningAsync(HostFacts facts, Task<StackInputs?> stack)
    {
        if (!facts.Marker || facts.ContentHash == null || await stack is not { } inputs) return false;
        var release = renderer.Render(inputs.Settings, inputs.Database, inputs.Secrets, new HostIdentity(facts.Uid, facts.Gid));
        if (facts.ContentHash != release.ContentHash || !StackServices.AllUp(facts.Services)) return false;
        log.Success($"Nothing to deploy: release {facts.Current} runs and is healthy.");
        return true;
    }

    public async Task<DeployOutcome> DeployAsync(DeployTarget target, StackInputs inputs, CancellationToken ct)
    {
        await using var ssh = await ConnectAsync(target, ct);
        var facts = await WaitForCloudInitAsync(ssh, target, ct);
        await LockAsync(ssh, "Deploy", ct);
        var release = renderer.Render(inputs.Settings, inputs.Database, inputs.Secrets, new HostIdentity(facts.Uid, facts.Gid));
        try
        {
            if (facts.ContentHash == release.ContentHash)
            {
                var services = StackServices.Parse((await Run(ssh, layout.Services(), "docker compose ps", ct)).Output);
                if (StackServices.AllUp(services))
                {
                    await Run(ssh, layout.Audit(AuditLine(facts.Current!, "no change")), "audit", ct);
                    log.Success($"Nothing to deploy: release {facts.Current} runs and is healthy.");
                    return new DeployOutcome(facts.Current!, false);
                }
                log.Warn($"Release {facts.Current} is current but not every service is up: bringing it up again.");
                await UpAndCheckAsync(ssh, inputs.Settings, facts.Current!, facts.Current, ct);
                await Run(ssh, layout.Audit(AuditLine(facts.Current!, "repaired")), "audit", ct);
                return new DeployOutcome(facts.Current!, true);
            }

            var id = release.NewReleaseId(clock.GetUtcNow());
            log.Info($"Deploying release {id} to {target.Ssh.Host} (current: {facts.Current ?? "none"}).");
            // the API's signing keys outlive the instance: the ones kept in the state go back first (tokens issued
            // before stay valid); a key is made only where there is none, and what the host holds is reported back
            foreach (var (name, pem) in inputs.JwtKeys ?? new Dictionary<string, string>())
                await Run(ssh, layout.RestoreJwtKey(name), "restore the JWT key", ct, input: pem);
            await Run(ssh, layout.EnsureJwtKey(), "create the JWT key", ct);
            var jwtKeys = ParseJwtKeys((await Run(ssh, layout.JwtKeys(), "read the JWT keys", ct)).Output);
            await UploadAsync(ssh, release, id, ct);
            if (inputs.Settings.PullPolicy != "never")
            {
                if (inputs.RegistryUser != null)
                    await Run(ssh, layout.Login(inputs.Registry, inputs.RegistryUser), $"log in to {inputs.Registry}", ct, input: inputs.RegistryPassword);
                await Run(ssh, layout.Pull(id), "pull the images", ct);
            }
            await Run(ssh, layout.Switch(id), "switch current", ct);
            await UpAndCheckAsync(ssh, inputs.Settings, id, facts.Current, ct);
            await Run(ssh, layout.Prune(options.KeepReleases), "prune old releases", ct);
            await Run(ssh, layout.Audit(AuditLine(id, "deployed")), "audit", ct);
            log.Success($"Release {id} is live on {target.Ssh.Host}.");
            return new DeployOutcome(id, true, jwtKeys);
        }
        finally
        {
            await ssh.RunAsync(layout.Unlock(), ct: CancellationToken.None);
        }
    }

    /// <summary>Goes back to the release before the current one (or the one named).</summary>
    public async Task<RollbackOutcome> RollbackAsync(DeployTarget target, StackSettings settings, string? release, CancellationToken ct)
    {
        await using var ssh = await ConnectAsync(target, ct);
        var facts = await FactsAsync(ssh, ct);
        await LockAsync(ssh, "Rollback", ct);
        try
        {
            var releases = (await Run(ssh, layout.Releases(), "list the releases", ct)).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(r => r.Trim()).ToList();
            var to = release ?? releases.LastOrDefault(r => string.CompareOrdinal(r, facts.Current) < 0)
                ?? throw new BuildFailure($"There is no release before {facts.Current} on {target.Ssh.Host}: nothing to roll back to.");
            if (!releases.Contains(to))
                throw new BuildFailure($"Release {to} is not on {target.Ssh.Host}; there are: {string.Join(", ", releases)}.");
            await Run(ssh, layout.Switch(to), "switch current", ct);
            await UpAndCheckAsync(ssh, settings, to, previous: null, ct);
            await Run(ssh, layout.Audit(AuditLine(to, $"rolled back from {facts.Current}")), "audit", ct);
            log.Success($"Release {to} is live again on {target.Ssh.Host}.");
            var services = StackServices.Parse((await Run(ssh, layout.Services(), "docker compose ps", ct)).Output);
            return new RollbackOutcome(to, services.FirstOrDefault(s => s.Service == "api")?.Image ?? "");
        }
        finally
        {
            await ssh.RunAsync(layout.Unlock(), ct: CancellationToken.None);
        }
    }

    /// <summary>The key files <see cref="RemoteLayout.JwtKeys"/> printed: file name → PEM.</summary>
    public static IReadOnlyDictionary<string, string> ParseJwtKeys(string output)
    {
        var keys = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var block in output.Split(RemoteLayout.JwtKeySeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var newline = block.IndexOf('\n');
            if (newline <= 0) continue;
            keys[block[..newline].Trim()] = block[(newline + 1)..].TrimEnd() + "\n";
        }
        return keys;
    }

    public sealed record HostFacts(bool Marker, int Uid, int Gid, string? Current, string? ContentHash, IReadOnlyList<ServiceState> Services);

    public async Task<HostFacts> FactsAsync(IRemoteHost ssh, CancellationToken ct, bool withServices = false)
    {
        var output = (await Run(ssh, withServices ? layout.FactsAndServices() : layout.Facts(), "read the host", ct)).Output;
        var parts = output.Split(RemoteLayout.ServicesSeparator, 2);
        var lines = parts[0].Split('\n')
            .Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0].Trim(), p => p[1].Trim());
        var current = lines.GetValueOrDefault("current") is { Length: > 0 } link ? Path.GetFileName(link.TrimEnd('/')) : null;
        return new HostFacts(lines.GetValueOrDefault("marker") == "yes", int.Parse(lines["uid"]), int.Parse(lines["gid"]), current,
            lines.GetValueOrDefault("hash") is { Length: > 0 } hash ? hash : null,
            parts.Length == 2 ? StackServices.Parse(parts[1]) : []);
    }

    private async Task<HostFacts> WaitForCloudInitAsync(IRemoteHost ssh, DeployTarget target, CancellationToken ct)
    {
        var poller = new Poller(options.PollInterval, clock, ct);
        try
        {
            return await poller.UntilAsync("cloud-init", async token => await FactsAsync(ssh, token), f => f.Marker, options.MarkerTimeout,
                f => { if (!f.Marker) log.Info($"Waiting for cloud-init on {target.Ssh.Host} ({layout.MarkerFile})…"); });
        }
        catch (PollTimeout)
        {
            var waited = options.MarkerTimeout.TotalMinutes >= 1 ? $"{options.MarkerTimeout.TotalMinutes:0.#} min" : $"{options.MarkerTimeout.TotalSeconds:0} s";
            throw new BuildFailure($"cloud-init has not finished on {target.Ssh.Host} after {waited} (no {layout.MarkerFile}): read its console output in the OVH console, or run Apply to replace a broken instance.");
        }
    }

    private async Task LockAsync(IRemoteHost ssh, string operation, CancellationToken ct)
    {
        var owner = $"{who} {operation} {clock.GetUtcNow():yyyy-MM-ddTHH:mm:ssZ}";
        if (options.ForceUnlock) await Run(ssh, layout.Unlock(), "break the deploy lock", ct);
        var result = await ssh.RunAsync(layout.Lock(owner), ct: ct);
        if (result.ExitCode == 3)
            throw new BuildFailure($"The deploy lock on the host is held by {result.Output.Trim()}. Wait for that deploy, or if it is dead: --force-unlock.");
        if (!result.Succeeded) throw Failure("prepare the application directory", result);
    }

    private async Task UploadAsync(IRemoteHost ssh, ReleaseFiles release, string id, CancellationToken ct)
    {
        var bundle = ReleaseBundle.Of(release);
        var stream = (uploadThrough ?? (s => s))(new MemoryStream(bundle.Bytes));
        try
        {
            var result = await ssh.UploadAsync(stream, layout.UploadPath(id), ct);
            if (!result.Succeeded) throw Failure("upload the release", result);
        }
        catch (Exception e) when (e is not BuildFailure and not OperationCanceledException)
        {
            throw new BuildFailure($"The upload of release {id} broke off ({e.Message}); the running release is untouched. Run Deploy again.");
        }
        await Run(ssh, layout.Unpack(id, bundle.Sha256, release.ContentHash), "unpack the release", ct);
        log.Info($"Uploaded release {id} ({bundle.Bytes.Length / 1024.0:0.0} KiB).");
    }

    private async Task UpAndCheckAsync(IRemoteHost ssh, StackSettings settings, string id, string? previous, CancellationToken ct)
    {
        var problem = await BringUpAsync(ssh, settings, ct);
        if (problem == null) return;
        if (previous == null || previous == id)
        {
            await Run(ssh, layout.Audit(AuditLine(id, "failed: " + problem)), "audit", ct);
            throw new BuildFailure($"Release {id} is not healthy ({problem}) and there is no earlier release to go back to. See ./build.sh Logs.");
        }
        log.Error($"Release {id} is not healthy ({problem}): rolling back to {previous}.");
        await Run(ssh, layout.Switch(previous), "switch back", ct);
        var again = await BringUpAsync(ssh, settings, ct);
        await Run(ssh, layout.Audit(AuditLine(id, $"failed ({problem}), rolled back to {previous}{(again != null ? ", which failed too" : "")}")), "audit", ct);
        throw new BuildFailure(again == null
            ? $"Release {id} was not healthy ({problem}); rolled back to {previous}, which serves again."
            : $"Release {id} was not healthy ({problem}), and the rollback to {previous} is not healthy either ({again}). See ./build.sh Status and Logs.");
    }

    /// <summary>compose up --wait, then /health and the JWKS through Caddy; null when all is well, else why not.</summary>
    private async Task<string?> BringUpAsync(IRemoteHost ssh, StackSettings settings, CancellationToken ct)
    {
        var up = await ssh.RunAsync(layout.Up(options.UpTimeout), ct: ct);
        if (!up.Succeeded)
        {
            var problem = up.Output.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.Contains("unhealthy") || l.Contains("rror")) ?? up.FirstErrorLine;
            // an unhealthy service says why in its log: its last lines go with the failure
            if (System.Text.RegularExpressions.Regex.Match(problem, @"container (\S+) is unhealthy") is { Success: true } unhealthy)
            {
                var tail = (await ssh.RunAsync(layout.ContainerLogTail(unhealthy.Groups[1].Value, 3), ct: ct)).Output.Trim();
                if (tail.Length > 0) problem += "; its last log lines: " + string.Join(" | ", tail.Split('\n').Select(LogLine.Clean));
            }
            return problem;
        }
        var endpoint = HealthEndpoint.For(settings);
        var poller = new Poller(options.PollInterval, clock, ct);
        try
        {
            await poller.UntilAsync("/health and /.well-known/jwks.json through Caddy",
                async token => await ssh.RunAsync(layout.Health(endpoint.Url, endpoint.Resolve, endpoint.CaFile), ct: token), r => r.Succeeded, options.HealthTimeout);
            return null;
        }
        catch (PollTimeout)
        {
            return $"{endpoint.Url}/health or the JWKS does not answer through Caddy after {options.HealthTimeout.TotalSeconds:0} s";
        }
    }

    private async Task<RemoteResult> Run(IRemoteHost ssh, string command, string what, CancellationToken ct, string? input = null)
    {
        log.Debug($"$ {command}");
        var result = await ssh.RunAsync(command, input, ct);
        if (!result.Succeeded) throw Failure(what, result);
        return result;
    }

    private static BuildFailure Failure(string what, RemoteResult result) =>
        result.Error.Contains("No space left on device") || result.Output.Contains("No space left on device")
            ? new BuildFailure($"The host's disk is full: could not {what}. The running release is untouched; free space (docker system prune) and deploy again.")
            : new BuildFailure($"Could not {what} on the host (exit code {result.ExitCode}): {result.FirstErrorLine}");

    private string AuditLine(string release, string result) => $"{clock.GetUtcNow():yyyy-MM-ddTHH:mm:ssZ} {who} {release} {result}";
}
