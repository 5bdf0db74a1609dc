using System.Linq.Expressions;

namespace BuildEngine;

/// <summary>
/// The base of a build class. Same shape as NUKE's: targets are <see cref="Target"/> properties, parameters are
/// [Parameter] members, and <c>Main</c> is <c>Execute&lt;Build&gt;(x => x.Default)</c>.
/// </summary>
public abstract class NukeBuild
{
    [Parameter("Show the targets and parameters", Name = "help")]
    internal readonly bool ShowHelp;

    [Parameter("Print the execution plan and run nothing", Name = "plan")]
    internal readonly bool ShowPlan;

    [Parameter("Targets to run (the same as naming them first)", Name = "target")]
    internal readonly string[]? TargetNames;

    [Parameter("Skip these targets (without names: every target that was not invoked)", Name = "skip")]
    internal readonly string[]? SkipNames;

    [Parameter("Answer yes to confirmations (needed where nobody can answer: no terminal, CI=true)", Name = "yes")]
    public readonly bool AssumeYes;

    [Parameter("Show debug output", Name = "verbose")]
    public readonly bool Verbose;

    /// <summary>The repository root: the first directory above the working directory that holds .nuke/.</summary>
    public string RootDirectory { get; internal set; } = "";

    /// <summary>Scratch space inside the repository (.nuke/temp), ignored by git.</summary>
    public string TemporaryDirectory => Path.Combine(RootDirectory, ".nuke", "temp");

    /// <summary>The profile file loaded by the [SelectsProfile] parameter, if any (e.g. ".nuke/parameters.test.json").</summary>
    public string? ProfileFile { get; internal set; }

    /// <summary>Arguments after <c>--</c>, passed through untouched (e.g. the command of an Exec target).</summary>
    public IReadOnlyList<string> PassthroughArguments { get; internal set; } = [];

    public BuildLog Log { get; internal set; } = null!;
    public SecretMasker Secrets { get; internal set; } = null!;
    public IProcessEnvironment ProcessEnvironment { get; internal set; } = null!;
    public Confirmation Confirm { get; internal set; } = null!;
    public ProcessRunner Processes { get; internal set; } = null!;

    /// <summary>Cancelled by Ctrl+C (or SIGTERM); actions should pass it on to whatever waits.</summary>
    public CancellationToken CancellationToken { get; internal set; }

    /// <summary>An exit code for a successful run other than 0 (e.g. 2 = "changes pending", as terraform plan -detailed-exitcode).</summary>
    public int? ExitCode { get; set; }

    public IReadOnlyList<ExecutableTarget> ExecutionPlan { get; internal set; } = [];

    /// <summary>Called once the parameters are bound, before anything runs (NUKE's OnBuildInitialized).</summary>
    protected internal virtual void OnBuildInitialized() { }

    /// <summary>
    /// A build of the same type with its parameters as <paramref name="profile"/>'s files give them (.nuke/parameters.json
    /// under .nuke/parameters.&lt;profile&gt;.json over the members' initializers), for a target that looks at every profile
    /// (State over all environments) or at one other than the run's: the defaults stay where they are declared. The
    /// run's command line and NUKE_* variables are the run's own and do not apply to another profile.
    /// </summary>
    protected T BoundTo<T>(string profile) where T : NukeBuild, new()
    {
        var members = ParameterMember.Of(typeof(T));
        var selector = members.SingleOrDefault(m => m.SelectsProfile)
                       ?? throw new InvalidOperationException($"{typeof(T).Name} has no [SelectsProfile] parameter.");
        var other = new T();
        var binder = new ParameterBinder(members, CommandLine.Parse([selector.CliName, profile]), NoVariables.Instance, RootDirectory);
        binder.Bind(other);
        other.RootDirectory = RootDirectory;
        other.ProfileFile = binder.Profile?.Path;
        other.Log = Log;
        other.Secrets = Secrets;
        other.ProcessEnvironment = ProcessEnvironment;
        other.Confirm = Confirm;
        other.Processes = Processes;
        other.CancellationToken = CancellationToken;
        return other;
    }

    private sealed class NoVariables : IProcessEnvironment
    {
        public static readonly NoVariables Instance = new();
        public string? GetVariable(string name) => null;
        public IReadOnlyDictionary<string, string> Variables { get; } = new Dictionary<string, string>();
        public bool IsInteractive => false;
        public bool OutputIsTerminal => false;
    }

    // a Func, not NUKE's Expression: the lambda x => x.Compile reads the same, and building an expression tree of a
    // property of the build looks up every property of the build before anything has started
    protected static int Execute<T>(params Func<T, Target>[] defaultTargets) where T : NukeBuild, new()
    {
        var exitCode = BuildRunner.Run<T>(Environment.GetCommandLineArgs().Skip(1).ToArray(), BuildHost.System(), defaultTargets);
        // the build is done and its log flushed: a library's foreground thread (SSH.NET's listener, while its
        // connection closes) must not hold the process for another fraction of a second
        Environment.Exit(exitCode);
        return exitCode;
    }
}
