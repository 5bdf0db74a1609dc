using AccoReboot.Cloud;
using AccoReboot.Cloud.Ovh;
using AccoReboot.Infra.Apply;
using AccoReboot.Session;
using AccoReboot.State;
using BuildEngine;

namespace AccoReboot.Infra;

/// <summary>What Provisioner needs from outside: the session, the desired state, who runs it, how to seal a secret.</summary>
sealed record ProvisioningInputs(
    EnvironmentSettings Settings,
    Func<Task<EnvironmentSession>> OpenSession,
    Func<S3StateStore> State,
    Func<Task<DesiredEnvironment>> Desired,
    Func<string, Task<string>> SealSecret,
    string Who,
    TimeProvider Clock);

/// <summary>Init, Plan, Apply, Down, Stop and Start of one environment: read live, plan, confirm, apply, record.</summary>
sealed class Provisioner(ProvisioningInputs inputs, BuildLog log, Confirmation confirm, CancellationToken cancellationToken)
{
    private EnvironmentSettings Settings => inputs.Settings;

    /// <summary>Creates the state bucket (versioned) in the environment's project when it is missing.</summary>
    public async Task InitAsync()
    {
        var session = await inputs.OpenSession();
        var ovh = session.Apis.Ovh;
        try
        {
            var container = await ovh.ContainerAsync(Settings.StateRegion, Settings.StateBucket, cancellationToken);
            log.Info($"State bucket {container.Name} exists in {Settings.StateRegion} (versioning {container.Versioning?.Status ?? "unknown"}).");
        }
        catch (OvhApiException e) when (e.IsNotFound)
        {
            await ovh.CreateContainerAsync(Settings.StateRegion, new StorageContainerCreation(Settings.StateBucket, new StorageVersioning("enabled")), cancellationToken);
            log.Success($"Created the state bucket {Settings.StateBucket} in {Settings.StateRegion}, with versioning.");
        }
        if (!await session.State.BucketExistsAsync(cancellationToken))
            throw new BuildFailure($"The bucket {Settings.StateBucket} exists but S3 does not show it at {session.State.Location.Endpoint}: check S3Endpoint / StateRegion.");
    }

    /// <summary>Prints the plan; returns 2 when there are changes (as terraform plan -detailed-exitcode), else 0.</summary>
    public async Task<int> PlanAsync(bool json)
    {
        var session = await inputs.OpenSession();
        var desired = await inputs.Desired();
        desired.Validate();
        var resources = new EnvironmentResources(desired);
        resources.Prepare(session.Apis, cancellationToken);
        var stored = await session.State.ReadAsync(cancellationToken);
        var plan = resources.Plan(desired.Name, await resources.ReadLiveAsync(session.Apis, stored?.Document, cancellationToken));
        if (json) log.Out.WriteLine(PlanRendering.Json(plan));
        else log.Out.Write(PlanRendering.Text(plan));
        return plan.HasChanges ? 2 : 0;
    }

    public async Task ApplyAsync(bool forceUnlock, bool destroyDatabase, bool allowReplace = false)
    {
        log.Phase("Apply starts");
        // the lock is asked for first thing: its request is prepared while the credentials are decrypted and sent when
        // they are; it and the state's read after it overlap the rendering of cloud-init and the catalog reads
        var store = inputs.State();
        var locking = EnvironmentSession.LockAsync(store, "Apply", inputs.Who, forceUnlock, cancellationToken);
        var rendering = Task.Run(inputs.Desired, cancellationToken);
        EnvironmentSession session;
        try
        {
            session = await inputs.OpenSession();
        }
        catch
        {
            await EnvironmentSession.AbandonAsync(store, locking);
            throw;
        }
        log.Phase("credentials decrypted, cloud session made");
        DesiredEnvironment desired;
        EnvironmentResources resources;
        try
        {
            desired = await rendering;
            desired.Validate();
            log.Phase("desired environment rendered (cloud-init), the lock asked for meanwhile");
            resources = new EnvironmentResources(desired);
            // each resource's first requests (catalogs, lookups) are made on the thread pool: their signing and
            // sending do not hold this thread
            await Task.Run(() => resources.Prepare(session.Apis, cancellationToken), cancellationToken);
        }
        catch
        {
            await EnvironmentSession.AbandonAsync(store, locking);
            throw;
        }
        await session.UnderLockAsync(locking, async stored =>
        {
            log.Phase("state locked and read (catalogs read meanwhile)");
            var live = await resources.ReadLiveAsync(session.Apis, stored?.Document, cancellationToken);
            log.Phase("live resources read");
            var plan = resources.Plan(desired.Name, live);
            log.Out.Write(PlanRendering.Text(plan));
            var state = Recorder(session, resources, stored, desired.Name);
            await state.UpdateAsync(s => resources.Reconcile(s, live));
            log.Phase("planned, state reconciled");
            if (!plan.HasChanges)
            {
                log.Success("No changes: nothing to apply.");
                return;
            }
            GuardDestructive(plan, desired, destroyDatabase, allowReplace, "Apply");
            await Executor(session, live, state).ApplyAsync(plan, resources.All);
            log.Phase("every change applied and recorded");
            await state.UpdateAsync(s => s with { LastChange = new ChangeRecord(inputs.Clock.GetUtcNow(), inputs.Who, "Apply") });
            log.Success($"Applied: {plan.Summary[6..]}");
        });
        log.Phase("state written, lock released");
    }

    /// <summary>Deletes everything, once asked; <paramref name="beforeDelete"/> runs after the answer and before the first deletion (the final backup).</summary>
    public async Task DownAsync(bool forceUnlock, bool destroyDatabase, Func<Task>? beforeDelete = null)
    {
        confirm.RequireAnswerable("Down");
        var session = await inputs.OpenSession();
        var desired = await inputs.Desired();
        var resources = new EnvironmentResources(desired);
        resources.Prepare(session.Apis, cancellationToken);
        await session.UnderLockAsync("Down", inputs.Who, forceUnlock, async stored =>
        {
            var live = await resources.ReadLiveAsync(session.Apis, stored?.Document, cancellationToken);
            var plan = resources.DestroyPlan(desired.Name, live, destroyDatabase);
            log.Out.Write(PlanRendering.Text(plan));
            // the plan keeps what a protected environment may not lose: Down goes all the way or not at all
            if (plan.Changes.Any(c => c.Action == ChangeAction.Keep))
                throw new BuildFailure($"{desired.Name} is protected: Down would delete its database with the rest. Add --destroy-database if that is what you want (Stop stops the instance and keeps everything).");
            var state = Recorder(session, resources, stored, desired.Name);
            if (plan.HasChanges)
            {
                confirm.RequireTyped($"Down deletes the resources of {desired.Name} listed above", desired.Name);
                if (beforeDelete != null) await beforeDelete();
                await Executor(session, live, state).ApplyAsync(plan, resources.All);
            }
            if (stored != null || state.Writes > 0) await session.State.DeleteStateAsync(cancellationToken);
            log.Success($"{desired.Name} is down: nothing left, state removed.");
        }, cancellationToken);
    }

    /// <summary>Marks a secret of the state due for rotation (the next Apply acts on it), under the state lock.</summary>
    public async Task MarkRotationDueAsync(string what, string why, bool forceUnlock)
    {
        var session = await inputs.OpenSession();
        await session.UnderLockAsync("Rotate", inputs.Who, forceUnlock, async stored =>
        {
            if (stored?.Document is not { IsEmpty: false } document)
                throw new BuildFailure($"{Settings.Name} has no state: there is no {what} to rotate. Run Up --env {Settings.Name} first.");
            var due = document.RotationDue.ToDictionary();
            due[what] = why;
            await session.State.WriteAsync(document with { RotationDue = due, Serial = document.Serial + 1 }, stored.ETag, cancellationToken);
        }, cancellationToken);
    }

    public async Task StopAsync(bool forceUnlock) => await PowerAsync(stop: true, forceUnlock);

    public async Task StartAsync(bool forceUnlock) => await PowerAsync(stop: false, forceUnlock);

    private async Task PowerAsync(bool stop, bool forceUnlock)
    {
        var session = await inputs.OpenSession();
        await session.UnderLockAsync(stop ? "Stop" : "Start", inputs.Who, forceUnlock, async stored =>
        {
            var name = $"{Settings.Name}-backend";
            var nova = session.Apis.Nova;
            var server = stored?.Document.Outputs.InstanceId is { } known ? await nova.ServerAsync(known, cancellationToken) : null;
            server ??= (await nova.ServersNamedAsync(name, cancellationToken)).SingleOrDefault()
                       ?? throw new BuildFailure($"{Settings.Name} has no instance ({name}): run Apply first.");
            var wanted = stop ? "SHUTOFF" : "ACTIVE";
            if (server.Status == wanted)
            {
                log.Info($"{name} is already {wanted}.");
                return;
            }
            if (stop)
            {
                log.Warn($"A stopped OVH instance is still billed (only Down stops the cost); {name} keeps its IPv4 and disk.");
                await nova.StopAsync(server.Id, cancellationToken);
            }
            else await nova.StartAsync(server.Id, cancellationToken);
            var poller = new Poller(Settings.Polling.Interval, inputs.Clock, cancellationToken);
            await poller.UntilAsync($"{name} to be {wanted}", token => nova.ServerAsync(server.Id, token), s => s?.Status == wanted || s?.Status == "ERROR", Settings.Polling.ServerTimeout);
            log.Success($"{name} is {wanted}.");
        }, cancellationToken);
    }

    private StateRecorder Recorder(EnvironmentSession session, EnvironmentResources resources, StoredState? stored, string environment) =>
        new(session.State, stored?.Document ?? new StateDocument { Environment = environment }, stored?.ETag, cancellationToken, resources.WithOutputs);

    private ApplyExecutor Executor(EnvironmentSession session, LiveSnapshot live, StateRecorder state)
    {
        var progress = new ApplyProgress(log);
        return new ApplyExecutor(progress, new ApplyContext
        {
            Apis = session.Apis,
            Live = live,
            State = state,
            Polling = Settings.Polling,
            SealSecret = inputs.SealSecret,
            Clock = inputs.Clock,
            CancellationToken = cancellationToken,
            Report = (resource, status) => progress.Status(resource.Address, status),
        });
    }

    /// <summary>
    /// What a plan may do unasked: nothing destructive (a replacement or deletion asks for the environment's name);
    /// on a protected environment nothing at all, and never replace its instance or database without
    /// --allow-replace (and the database's data, without --destroy-database either).
    /// </summary>
    private void GuardDestructive(InfraPlan plan, DesiredEnvironment desired, bool destroyDatabase, bool allowReplace, string operation)
    {
        var database = plan.Changes.FirstOrDefault(c => c.Kind == "db-cluster" && c.Action is ChangeAction.Replace or ChangeAction.Delete);
        if (database != null && desired.Protected && !destroyDatabase)
            throw new BuildFailure($"{operation} would replace the database of {desired.Name}, which is protected: its data would be lost. Add --destroy-database if that is what you want.");
        var replaced = plan.Changes.Where(c => c.Kind is "instance" or "db-cluster" && c.Action is ChangeAction.Replace or ChangeAction.Delete).Select(c => c.Address).ToList();
        if (replaced.Count > 0 && desired.Protected && !allowReplace)
            throw new BuildFailure($"{operation} would replace {string.Join(" and ", replaced)} of {desired.Name}, which is protected (a new address, the host's files gone): add --allow-replace if that is what you want.");
        if (plan.IsDestructive)
            confirm.RequireTyped($"{operation} replaces or deletes resources of {desired.Name} (see the plan above)", desired.Name);
        else if (desired.Protected)
            confirm.RequireTyped($"{operation} changes {desired.Name}, which is protected (see the plan above)", desired.Name);
    }
}
