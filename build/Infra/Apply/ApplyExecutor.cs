using AccoReboot.Infra.Resources;
using BuildEngine;

namespace AccoReboot.Infra.Apply;

/// <summary>
/// Carries a plan out as a dependency graph: every change starts as soon as the changes it depends on are done,
/// so the database cluster (minutes to READY) and the instance are created at the same time. A failure stops
/// what depends on it, lets the rest finish, and is reported at the end.
/// </summary>
sealed class ApplyExecutor(ApplyProgress progress, ApplyContext context)
{
    public async Task ApplyAsync(InfraPlan plan, IReadOnlyList<IResource> resources)
    {
        var byAddress = resources.ToDictionary(r => r.Address);
        var changes = plan.Changes.Where(c => c.IsChange).ToList();
        foreach (var change in changes) progress.Add(change.Address, Verb(change.Action, plan.IsDestroy));

        var tasks = new Dictionary<string, Task>();
        var failures = new List<string>();
        Task Run(ResourceChange change)
        {
            if (tasks.TryGetValue(change.Address, out var existing)) return existing;
            var resource = byAddress[change.Address];
            // in a destroy the dependencies are reversed: a thing goes before what it needed
            var dependencies = plan.IsDestroy
                ? changes.Where(c => byAddress[c.Address].DependsOn.Any(d => d.Address == change.Address)).ToList()
                : changes.Where(c => resource.DependsOn.Any(d => d.Address == c.Address)).ToList();
            var dependencyTasks = dependencies.Select(Run).ToList();
            var task = Task.Run(async () =>
            {
                try
                {
                    await Task.WhenAll(dependencyTasks);
                }
                catch (Exception)
                {
                    progress.Skipped(change.Address, "not applied: a dependency failed");
                    throw new DependencyFailedException();
                }
                progress.Started(change.Address);
                try
                {
                    if (plan.IsDestroy) await resource.DestroyAsync(context);
                    else await resource.ApplyAsync(change, context);
                    progress.Finished(change.Address);
                }
                catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
                {
                    progress.Failed(change.Address, "aborted");
                    throw;
                }
                catch (Exception e)
                {
                    // one line each: a failure nobody foresaw says its type and message, never a stack trace
                    var line = e is BuildFailure ? e.Message : $"{e.GetType().Name}: {e.Message}";
                    progress.Failed(change.Address, line);
                    lock (failures) failures.Add($"{change.Address}: {line}");
                    throw;
                }
            });
            tasks[change.Address] = task;
            return task;
        }

        await progress.RunAsync(async () =>
        {
            foreach (var change in changes) _ = Run(change);
            try
            {
                await Task.WhenAll(tasks.Values);
            }
            catch (Exception)
            {
                // every failure was recorded where it happened; reported below
            }
        });
        context.CancellationToken.ThrowIfCancellationRequested();
        if (failures.Count > 0)
            throw new BuildFailure(string.Join(Environment.NewLine, failures) + Environment.NewLine +
                                   "What succeeded is recorded in the state; run the same command again to finish.");
    }

    private static string Verb(ChangeAction action, bool destroy) => destroy ? "destroy" : action switch
    {
        ChangeAction.Create => "create",
        ChangeAction.Update => "update",
        ChangeAction.Replace => "replace",
        ChangeAction.Delete => "destroy",
        _ => "",
    };

    private sealed class DependencyFailedException : Exception;
}
