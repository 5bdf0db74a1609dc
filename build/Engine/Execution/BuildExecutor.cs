using Spectre.Console;
using System.Diagnostics;

namespace BuildEngine;

/// <summary>
/// Runs a plan: applies --skip and static conditions, checks requirements before anything runs, then runs
/// each target, stopping at the first failure (unless ProceedAfterFailure) or at Ctrl+C, but always
/// running the AssuredAfterFailure targets.
/// </summary>
internal sealed class BuildExecutor(NukeBuild build, BuildLog log, InterruptSignal interrupts, TimeSpan abortGracePeriod,
    IReadOnlyDictionary<System.Reflection.MemberInfo, ParameterMember> parameters)
{
    public bool WasAborted { get; private set; }

    /// <summary>The exit code the first failure asked for (e.g. a child process's, passed through by Exec).</summary>
    public int? FailureExitCode { get; private set; }

    public void Execute(IReadOnlyList<ExecutableTarget> plan, IReadOnlyList<string>? skip)
    {
        foreach (var target in plan) target.Status = ExecutionStatus.Scheduled;
        ApplySkip(plan, skip);
        ApplyStaticConditions(plan);
        CascadeSkips(plan);
        CheckRequirements(plan);

        var stopped = false;
        foreach (var target in plan)
        {
            if (target.Status == ExecutionStatus.Skipped) continue;
            if (stopped && !target.IsAssuredAfterFailure) continue;
            var failedDependency = target.ExecutionDependencies.FirstOrDefault(d => d.Status is ExecutionStatus.Failed or ExecutionStatus.Aborted or ExecutionStatus.NotRun);
            if (failedDependency != null && !target.IsAssuredAfterFailure)
            {
                target.Status = ExecutionStatus.NotRun;
                target.SkipReason = $"{failedDependency.Name} did not succeed";
                continue;
            }
            if (target.Definition.DynamicConditions.FirstOrDefault(c => !c.Evaluate()) is { } condition)
            {
                Skip(target, "OnlyWhen: " + condition.Text);
                continue;
            }
            if (target.IsCollective)
            {
                target.Status = ExecutionStatus.Collective;
                continue;
            }
            Run(target, stopped);
            if (target.Status == ExecutionStatus.Aborted) WasAborted = stopped = true;
            if (target.Status == ExecutionStatus.Failed && !target.IsProceedAfterFailure) stopped = true;
        }
        foreach (var target in plan.Where(t => t.Status == ExecutionStatus.Scheduled))
            target.Status = ExecutionStatus.NotRun;
    }

    private void Run(ExecutableTarget target, bool inFailureMode)
    {
        // after an abort, assured targets run with a token that only a second Ctrl+C cancels
        var token = inFailureMode && WasAborted ? interrupts.AbortedTwice : interrupts.Aborted;
        if (token.IsCancellationRequested)
        {
            target.Status = ExecutionStatus.NotRun;
            return;
        }
        build.CancellationToken = token;
        log.Header(target.Name);
        target.Status = ExecutionStatus.Running;
        var stopwatch = Stopwatch.StartNew();
        var work = Task.Run(async () =>
        {
            foreach (var action in target.Definition.Actions)
            {
                token.ThrowIfCancellationRequested();
                await action(token);
            }
        });
        try
        {
            var finished = Task.WhenAny(work, Task.Delay(Timeout.Infinite, token)).GetAwaiter().GetResult();
            if (finished != work)
            {
                target.Status = ExecutionStatus.Aborted;
                log.Warn($"{target.Name}: aborted by Ctrl+C.");
                work.Wait(abortGracePeriod); // let the action observe the token and clean up
                return;
            }
            work.GetAwaiter().GetResult();
            target.Status = ExecutionStatus.Succeeded;
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            target.Status = ExecutionStatus.Aborted;
            log.Warn($"{target.Name}: aborted by Ctrl+C.");
        }
        catch (AggregateException e) when (e.InnerException is OperationCanceledException && token.IsCancellationRequested)
        {
            target.Status = ExecutionStatus.Aborted;
        }
        catch (BuildFailure failure)
        {
            target.Status = ExecutionStatus.Failed;
            FailureExitCode ??= failure.ExitCode;
            log.Error($"{target.Name}: {failure.Message}");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or TimeoutException)
        {
            // the file system or the network said no where no code named it: still one line, with the system's words
            // (they name the path or the peer), never a stack trace
            target.Status = ExecutionStatus.Failed;
            var message = exception.Message.Split('\n')[0].TrimEnd('.');
            if (message.Length > 300) message = message[..150] + "…" + message[^100..]; // a path of thousands of characters
            log.Error($"{target.Name}: {message} ({exception.GetType().Name}): check the path or the endpoint, then run again.");
        }
        catch (Exception exception)
        {
            target.Status = ExecutionStatus.Failed;
            // not a failure we anticipated: a bug, so show everything (masked)
            log.Error($"{target.Name} has thrown an exception: {exception}");
        }
        finally
        {
            target.Duration = stopwatch.Elapsed;
            if (target.Status == ExecutionStatus.Failed && inFailureMode)
                log.Warn($"{target.Name} (assured after failure) failed too.");
        }
    }

    private static void ApplySkip(IReadOnlyList<ExecutableTarget> plan, IReadOnlyList<string>? skip)
    {
        if (skip == null) return;
        var names = skip.Select(NameStyle.Normalize).ToHashSet();
        foreach (var target in plan.Where(t => !t.IsInvoked))
            if (names.Count == 0 || names.Contains(NameStyle.Normalize(target.Name)))
                Skip(target, "via --skip");
    }

    private static void ApplyStaticConditions(IReadOnlyList<ExecutableTarget> plan)
    {
        foreach (var target in plan.Where(t => t.Status == ExecutionStatus.Scheduled))
            if (target.Definition.StaticConditions.FirstOrDefault(c => !c.Evaluate()) is { } condition)
                Skip(target, "OnlyWhen: " + condition.Text);
    }

    /// <summary>A skipped target's dependencies are skipped too, unless something else that still runs needs them.</summary>
    private static void CascadeSkips(IReadOnlyList<ExecutableTarget> plan)
    {
        bool changed;
        do
        {
            changed = false;
            foreach (var skipped in plan.Where(t => t.Status == ExecutionStatus.Skipped && t.Definition.SkipBehavior == DependencyBehavior.Skip).ToList())
            foreach (var dependency in skipped.ExecutionDependencies.Concat(skipped.Triggers))
            {
                if (dependency.Status != ExecutionStatus.Scheduled || dependency.IsInvoked) continue;
                var stillNeeded = plan.Any(t => t.Status == ExecutionStatus.Scheduled &&
                                                (t.ExecutionDependencies.Contains(dependency) || t.Triggers.Contains(dependency)));
                if (stillNeeded) continue;
                Skip(dependency, $"because of {skipped.Name}");
                changed = true;
            }
        } while (changed);
    }

    private void CheckRequirements(IReadOnlyList<ExecutableTarget> plan)
    {
        var problems = new List<string>();
        foreach (var target in plan.Where(t => t.Status == ExecutionStatus.Scheduled))
        foreach (var requirement in target.Definition.Requirements)
        {
            if (requirement.IsMet()) continue;
            if (requirement.Parameter != null && parameters.TryGetValue(requirement.Parameter, out var parameter))
                problems.Add($"{target.Name} needs {parameter.CliName}{(parameter.Description != null ? $" ({parameter.Description})" : "")}: " +
                             $"pass {parameter.CliName} <value>, set {parameter.EnvironmentVariable}, or put \"{parameter.Name}\" in .nuke/parameters.json.");
            else
                problems.Add($"{target.Name} requires {requirement.Text}.");
        }
        if (problems.Count > 0)
            throw new BuildFailure(string.Join(Environment.NewLine, problems.Distinct()) + " Nothing was run.");
    }

    private static void Skip(ExecutableTarget target, string reason)
    {
        target.Status = ExecutionStatus.Skipped;
        target.SkipReason = reason;
    }
}
