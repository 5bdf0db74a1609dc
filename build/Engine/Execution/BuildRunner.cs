using Spectre.Console;
using System.Reflection;

namespace BuildEngine;

/// <summary>One run of a build: parse, bind, plan, execute, report. Returns the process exit code.</summary>
public static class BuildRunner
{
    public const int ExitFailure = 1;
    public const int ExitAborted = 130;

    public static int Run<T>(IReadOnlyList<string> args, BuildHost host, params Func<T, Target>[] defaultTargets)
        where T : NukeBuild, new()
    {
        var masker = new SecretMasker();
        BuildLog? log = null;
        var startup = StartupTrace.From(host);
        try
        {
            var commandLine = CommandLine.Parse(args);
            var root = FindRoot(host.WorkingDirectory);
            log = new BuildLog(host.Out, host.Error, masker, Path.Combine(root, ".nuke", "temp", "build.log"),
                verbose: commandLine.Has("verbose"), ansi: host.Ansi);
            startup.Mark("console and log");

            var build = new T();
            var targets = TargetFactory.Create(build);
            startup.Mark("targets (reflection)");
            var parameters = ParameterMember.Of(typeof(T));
            startup.Mark("parameters found (reflection)");
            var binder = new ParameterBinder(parameters, commandLine, host.Environment, root);
            binder.Bind(build);
            startup.Mark("parameters bound (command line, environment, profile files)");
            foreach (var secret in parameters.Where(p => p.IsSecret))
                masker.Register(secret.GetValue(build)?.ToString());

            build.RootDirectory = root;
            build.ProfileFile = binder.Profile?.Path;
            build.PassthroughArguments = commandLine.Passthrough;
            build.Log = log;
            build.Secrets = masker;
            build.ProcessEnvironment = host.Environment;
            build.Confirm = new Confirmation(log, host.Environment, build.AssumeYes, host.In);
            build.Processes = new ProcessRunner(log);

            BuildSchema.WriteIfChanged(build, targets, parameters);
            startup.Mark("schema");
            build.OnBuildInitialized();
            startup.Mark("initialized");

            var defaults = defaultTargets.Select(d => FindByDelegate(targets, d(build))).ToList();
            var invoked = commandLine.Targets.Concat(build.TargetNames ?? [])
                .Select(name => ExecutionPlanner.Find(targets, name)).Distinct().ToList();
            foreach (var target in build.SkipNames ?? []) ExecutionPlanner.Find(targets, target);

            if (build.ShowHelp || args.Count == 0 || (invoked.Count == 0 && defaults.Count == 0))
            {
                log.Out.Write(HelpText.Render(targets, defaults, parameters, build, binder.Sources));
                startup.Mark("help written");
                startup.Report(log);
                return 0;
            }
            if (invoked.Count == 0) invoked = defaults;
            foreach (var target in invoked) target.IsInvoked = true;

            var plan = ExecutionPlanner.Plan(targets, invoked);
            build.ExecutionPlan = plan;
            if (build.ShowPlan)
            {
                log.Out.Write(PlanText.Render(plan));
                startup.Mark("plan written");
                startup.Report(log);
                return 0;
            }

            startup.Mark("planned");
            startup.Report(log);
            var executor = new BuildExecutor(build, log, host.Interrupts, host.AbortGracePeriod,
                parameters.ToDictionary(p => p.Member));
            executor.Execute(plan, build.SkipNames); // null: skip nothing; empty (bare --skip): skip all not invoked
            return Finish(log, plan, executor.WasAborted, executor.FailureExitCode, build.ExitCode);
        }
        catch (BuildFailure failure)
        {
            (log ?? Fallback(host, masker)).Error(failure.Message);
            return failure.ExitCode;
        }
        catch (Exception exception)
        {
            (log ?? Fallback(host, masker)).Error("the build itself failed (a bug): " + exception);
            return ExitFailure;
        }
        finally
        {
            log?.Dispose();
        }
    }

    private static int Finish(BuildLog log, IReadOnlyList<ExecutableTarget> plan, bool aborted, int? failureExitCode, int? exitCode)
    {
        // plain lines, not Spectre's console: every run ends here, and setting that console up costs about 30 ms
        log.Info("");
        if (log.Problems.Count > 0)
        {
            log.Info(log.Coloured("1", "Errors & warnings"));
            foreach (var problem in log.Problems)
                log.Info("  " + problem.Split('\n')[0]);
        }
        log.Info(SummaryTable.Text(plan, log.Coloured));
        var failed = aborted || plan.Any(t => t.Status is ExecutionStatus.Failed or ExecutionStatus.Aborted or ExecutionStatus.NotRun);
        var when = DateTime.Now.ToString("yyyy-MM-dd HH:mm:ss");
        if (aborted) log.Info(log.Coloured("33", $"Build aborted on {when}."));
        else if (failed) log.Info(log.Coloured("31", $"Build failed on {when}."));
        else log.Info(log.Coloured("32", $"Build succeeded on {when}."));
        return aborted ? ExitAborted : failed ? failureExitCode ?? ExitFailure : exitCode ?? 0;
    }

    private static BuildLog Fallback(BuildHost host, SecretMasker masker) => new(host.Out, host.Error, masker, ansi: host.Ansi);

    private static ExecutableTarget FindByDelegate(IReadOnlyList<ExecutableTarget> targets, Target selected) =>
        targets.FirstOrDefault(t => t.Lambda == selected.Method)
        ?? throw new ArgumentException("A default target must be given as x => x.Target.");

    /// <summary>The repository root: the nearest directory above the working directory (or the build's own location) holding .nuke/.</summary>
    public static string FindRoot(string workingDirectory)
    {
        foreach (var start in new[] { workingDirectory, AppContext.BaseDirectory })
            for (var directory = new DirectoryInfo(start); directory != null; directory = directory.Parent)
                if (Directory.Exists(Path.Combine(directory.FullName, ".nuke")) &&
                    directory.FullName != Environment.GetFolderPath(Environment.SpecialFolder.UserProfile))
                    return directory.FullName;
        throw new BuildFailure($"Could not find a '.nuke' directory above '{workingDirectory}': run the build from inside the repository.");
    }
}
