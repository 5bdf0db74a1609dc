using AccoReboot.Deploy.Remote;
using AccoReboot.Session;
using AccoReboot.State;
using BuildEngine;

namespace AccoReboot.Deploy;

/// <summary>
/// Deploy and Rollback of one environment: the state lock is held for the whole run (Apply cannot replace the
/// instance under a deploy), the instance and database come from the state, and the state records the pinned
/// host key at first contact and the release that runs afterwards.
/// </summary>
sealed class Deployment(DeploymentInputs inputs, BuildLog log, Confirmation confirm, CancellationToken cancellationToken)
{
    public async Task DeployAsync(bool forceUnlock)
    {
        if (!forceUnlock && await AlreadyRunningAsync()) return;
        // a protected environment is changed only when someone says so (--yes in CI, behind the GitHub environment's approval)
        if (inputs.Protected) confirm.RequireTyped($"Deploy changes {inputs.Environment}, which is protected", inputs.Environment);
        await WithStateAsync("Deploy", forceUnlock, async (session, site, state) =>
        {
            var image = await inputs.ApiImage();
            var stack = await StackInputsAsync(site, image) with { JwtKeys = await UnsealAllAsync(state.Current.SealedJwtKeys) };
            var outcome = await inputs.Deployer(log).DeployAsync(Target(session, site, state, await inputs.DeployKey()), stack, cancellationToken);
            if (outcome.JwtKeys is { } onHost && !onHost.OrderBy(k => k.Key).SequenceEqual(stack.JwtKeys!.OrderBy(k => k.Key)))
            {
                var sealedKeys = new SortedDictionary<string, string>(StringComparer.Ordinal);
                foreach (var (name, pem) in onHost) sealedKeys[name] = await inputs.SealSecret(pem);
                await state.UpdateAsync(s => s with { SealedJwtKeys = sealedKeys });
                log.Info($"Kept the API's JWT key{(onHost.Count > 1 ? "s" : "")} in the state (sealed): a new instance signs with {(onHost.Count > 1 ? "them" : "it")}.");
            }
            if (JwtKeyRotation.Due(state.Current, inputs.Clock.GetUtcNow()).Count > 0)
            {
                await using var ssh = await new TrustedConnection(log).OpenAsync(Target(session, site, state, await inputs.DeployKey()), cancellationToken);
                await JwtKeys.RetireDueAsync(ssh, site, state);
            }
            if (outcome.Changed || state.Current.ReleaseOn(site.InstanceId)?.Id != outcome.Release)
                await state.UpdateAsync(s => s with
                {
                    Release = new ReleaseState(outcome.Release, image, inputs.Clock.GetUtcNow(), inputs.Who, site.InstanceId),
                    LastChange = new ChangeRecord(inputs.Clock.GetUtcNow(), inputs.Who, "Deploy"),
                });
        });
    }

    private JwtKeyRotation JwtKeys => new(inputs, inputs.JwtKeyOverlap, log, cancellationToken);

    /// <summary>Rotate --what jwt-key: a new signing key, the old ones published until their tokens expire.</summary>
    public Task RotateJwtKeyAsync(bool forceUnlock) => JwtKeys.RotateAsync(forceUnlock);

    public async Task RollbackAsync(string? release, bool forceUnlock)
    {
        if (inputs.Protected) confirm.RequireTyped($"Rollback changes {inputs.Environment}, which is protected", inputs.Environment);
        await WithStateAsync("Rollback", forceUnlock, async (session, site, state) =>
        {
            var back = await inputs.Deployer(log).RollbackAsync(Target(session, site, state, await inputs.DeployKey()), inputs.Stack, release, cancellationToken);
            await state.UpdateAsync(s => s with
            {
                Release = new ReleaseState(back.Release, back.ApiImage, inputs.Clock.GetUtcNow(), inputs.Who, site.InstanceId),
                LastChange = new ChangeRecord(inputs.Clock.GetUtcNow(), inputs.Who, $"Rollback to {back.Release}"),
            });
        });
    }

    /// <summary>
    /// A no-op Deploy learns that it is one without a lock (Kamal and the seed's playbook take seconds): one read of
    /// the state, one SSH connection and one remote command that gives the running release's hash and the containers'
    /// state together. What does not wait on another runs at the same time: the image is named from git and the
    /// environment's credentials decrypted while the state is read, the stack's inputs made while SSH connects.
    /// Anything else (a first deploy, a host key not pinned yet, a change) goes the locked way.
    /// </summary>
    private async Task<bool> AlreadyRunningAsync()
    {
        var image = inputs.ApiImage();
        _ = inputs.EnvironmentCredentials();
        var store = await inputs.OpenState();
        log.Phase("common credentials decrypted, state store made");
        var deployer = inputs.Deployer(log);
        // the instance reached last time is asked while the state is read; its answer counts only if the state
        // names the same instance, address and host key
        var last = LastContact.Read(inputs.LastContactFile);
        var early = last == null ? null
            : Task.Run(async () => await deployer.RunningFactsAsync(StackConnection.Target(inputs, last, await inputs.DeployKey()), cancellationToken));
        var stored = await store.ReadAsync(cancellationToken);
        log.Phase("state read (no lock); the instance reached last time asked meanwhile");
        var site = stored?.Document is { IsEmpty: false } document ? DeployedEnvironment.From(document, inputs.Environment) : null;
        if (site?.PinnedKey == null || stored!.Document.ReleaseOn(site.InstanceId) is not { } deployed ||
            JwtKeyRotation.Due(stored.Document, inputs.Clock.GetUtcNow()).Count > 0) // an old JWT key to retire: the locked way
        {
            Abandon(early);
            return false;
        }
        var stack = Task.Run(async () => await image == deployed.Image ? await StackInputsAsync(site, await image) : null);
        Deployer.HostFacts? facts = null;
        if (last != null && last.Matches(site)) facts = await AnswerOfAsync(early);
        else Abandon(early);
        // the pin is in the state: the console (and so the cloud session) is not needed to trust the host
        facts ??= await deployer.RunningFactsAsync(StackConnection.Target(inputs, site, await inputs.DeployKey(),
            ct => throw new InvalidOperationException("the host key is pinned"), null), cancellationToken);
        LastContact.Of(site)?.WriteTo(inputs.LastContactFile);
        var running = await deployer.IsRunningAsync(facts, stack);
        log.Phase("SSH connected, one command; image named from git, stack inputs made meanwhile; release rendered and compared");
        return running;
    }

    /// <summary>A head start whose answer does not count: left to finish on its own, its failure observed.</summary>
    private static void Abandon(Task<Deployer.HostFacts>? early) =>
        early?.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    /// <summary>The head start's answer, or null when there was none or it failed (the regular connection then says why).</summary>
    private static async Task<Deployer.HostFacts?> AnswerOfAsync(Task<Deployer.HostFacts>? early)
    {
        if (early == null) return null;
        try
        {
            return await early;
        }
        catch (Exception e) when (e is BuildFailure or IOException or OperationCanceledException or InvalidOperationException)
        {
            return null;
        }
    }

    private async Task WithStateAsync(string operation, bool forceUnlock, Func<EnvironmentSession, DeployedEnvironment, StateRecorder, Task> run)
    {
        var session = await inputs.OpenSession();
        await session.UnderLockAsync(operation, inputs.Who, forceUnlock, async stored =>
        {
            var site = DeployedEnvironment.From(stored?.Document, inputs.Environment);
            await run(session, site, new StateRecorder(session.State, stored!.Document, stored.ETag, cancellationToken));
        }, cancellationToken);
    }

    private DeployTarget Target(EnvironmentSession session, DeployedEnvironment site, StateRecorder? state, Secrets.DeployKey key) =>
        StackConnection.Target(inputs, site, key, ct => session.Apis.Nova.ConsoleOutputAsync(site.InstanceId, ct), state == null ? null
            : key => state.UpdateAsync(s => s with { HostKey = DeployedEnvironment.Pin(key, site.InstanceId, inputs.Clock.GetUtcNow()) }));

    /// <summary>The sealed values opened, each registered with the masker first thing.</summary>
    private async Task<IReadOnlyDictionary<string, string>> UnsealAllAsync(IReadOnlyDictionary<string, string> sealedValues)
    {
        var open = new Dictionary<string, string>();
        foreach (var (name, sealedValue) in sealedValues)
        {
            open[name] = await inputs.UnsealSecret(sealedValue);
            inputs.Masker.Register(open[name]);
        }
        return open;
    }

    /// <summary>Whether the domain resolves to the instance (no domain: nothing to wait for); says so when it does not.</summary>
    private async Task<bool> DnsPointsHereAsync(DeployedEnvironment site)
    {
        if (inputs.Stack.Domain is not { Length: > 0 } domain) return true;
        string[] addresses;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            addresses = (await new DomainResolver(inputs.Stack.DnsServer).AddressesAsync(domain, timeout.Token)).ToArray();
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            addresses = [];
        }
        if (addresses.Contains(site.Ipv4)) return true;
        log.Warn($"DNS: {domain} {(addresses.Length == 0 ? "does not resolve" : $"points at {string.Join(", ", addresses)}")}, not at the instance {site.Ipv4} yet: " +
                 $"the site serves HTTP only until it does (no certificate is asked for meanwhile); with ManageDns, Apply points it; then Deploy again for HTTPS.");
        return false;
    }

    /// <summary>A PEM file a parameter names (empty: none), read for the release.</summary>
    private string ReadPem(string path, string parameter)
    {
        if (path.Length == 0) return "";
        var full = Path.GetFullPath(path); // build.sh runs from the repository's root
        string text;
        try
        {
            text = File.ReadAllText(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BuildFailure($"{parameter} of {inputs.Environment} is {path}, which cannot be read ({e.Message}): fix the profile, or start the sandbox cloud, which writes it.");
        }
        if (!text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            throw new BuildFailure($"{parameter} of {inputs.Environment} is {path}, which holds no PEM certificate: give the CA's root certificate (PEM).");
        return text;
    }

    private async Task<StackInputs> StackInputsAsync(DeployedEnvironment site, string apiImage)
    {
        var common = await inputs.Common();
        var environment = await inputs.EnvironmentCredentials();
        var password = await inputs.UnsealSecret(site.SealedDatabasePassword);
        inputs.Masker.Register(password);
        inputs.Masker.Register(Uri.EscapeDataString(password));
        var ca = inputs.Stack.DatabaseTls
            ? site.DatabaseCa ?? throw new BuildFailure($"The state of {inputs.Environment} has no CA certificate of the PostgreSQL cluster: run Apply --env {inputs.Environment}, which fetches it.")
            : null;
        var database = new DatabaseConnection(site.DatabaseHost, site.DatabasePort, inputs.DatabaseUser, password, inputs.AppDatabase, inputs.StorageDatabase, ca);
        var secrets = new StackSecrets(environment.ApiAdminToken, environment.EmqxNodeCookie, environment.EmqxDashboardPassword, environment.PowerSyncApiToken, environment.ApiMqttPassword);
        var settings = inputs.Stack with
        {
            Images = inputs.Stack.Images with { Api = apiImage },
            DnsPointsHere = await DnsPointsHereAsync(site),
            Acme = inputs.Stack.Acme with { CaRootPem = ReadPem(inputs.Stack.Acme.CaRoot, "AcmeCaRoot"), SiteRootPem = ReadPem(inputs.Stack.SiteCaRoot, "SiteCaRoot") },
        };
        return new StackInputs(settings, database, secrets, common.RegistryUsername, common.RegistryPassword, inputs.Registry);
    }
}
