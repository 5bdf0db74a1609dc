using System.Linq.Expressions;
using BuildEngine;

namespace Tests.Support;

/// <summary>One in-process run of a build class in a scratch repository, with everything it printed.</summary>
public sealed record EngineRun : IDisposable
{
    public required int ExitCode { get; init; }
    public required string Out { get; init; }
    public required string Error { get; init; }
    public required TempDirectory Root { get; init; }
    private bool OwnsRoot { get; init; } = true;

    public string All => Out + Error;
    public string LogFile => File.ReadAllText(Root.Combine(".nuke", "temp", "build.log"));

    /// <summary>The names the targets printed with <c>Ran(...)</c>, in order.</summary>
    public IReadOnlyList<string> Ran =>
        Out.Split('\n').Where(l => l.Contains("ran: ")).Select(l => l[(l.IndexOf("ran: ", StringComparison.Ordinal) + 5)..].Trim()).ToList();

    public static EngineRun Of<T>(
        string arguments,
        Action<TempDirectory>? setup = null,
        Dictionary<string, string>? environment = null,
        bool interactive = false,
        string input = "",
        Action<BuildHost>? whileRunning = null,
        params Func<T, Target>[] defaults)
        where T : NukeBuild, new() =>
        Of(Split(arguments), setup, environment, interactive, input, whileRunning, defaults);

    public static EngineRun Of<T>(
        string[] args,
        Action<TempDirectory>? setup = null,
        Dictionary<string, string>? environment = null,
        bool interactive = false,
        string input = "",
        Action<BuildHost>? whileRunning = null,
        params Func<T, Target>[] defaults)
        where T : NukeBuild, new()
    {
        var root = new TempDirectory();
        Directory.CreateDirectory(root.Combine(".nuke"));
        setup?.Invoke(root);
        return In<T>(root, args, environment, interactive, input, whileRunning, defaults) with { OwnsRoot = true };
    }

    /// <summary>A run in an existing scratch repository (several runs in turn, as a user would).</summary>
    public static EngineRun In<T>(
        TempDirectory root,
        string[] args,
        Dictionary<string, string>? environment = null,
        bool interactive = false,
        string input = "",
        Action<BuildHost>? whileRunning = null,
        params Func<T, Target>[] defaults)
        where T : NukeBuild, new()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var host = new BuildHost
        {
            Out = TextWriter.Synchronized(stdout),
            Error = TextWriter.Synchronized(stderr),
            In = new StringReader(input),
            Environment = new FakeEnvironment(environment, interactive),
            WorkingDirectory = root.Path,
            Ansi = false,
            AbortGracePeriod = TimeSpan.FromSeconds(5),
        };
        int exitCode;
        if (whileRunning == null)
            exitCode = BuildRunner.Run(args, host, defaults);
        else
        {
            var run = Task.Run(() => BuildRunner.Run(args, host, defaults));
            whileRunning(host);
            exitCode = run.GetAwaiter().GetResult();
        }
        return new EngineRun { ExitCode = exitCode, Out = stdout.ToString(), Error = stderr.ToString(), Root = root, OwnsRoot = false };
    }

    public static string[] Split(string arguments) =>
        arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public void Dispose()
    {
        if (OwnsRoot) Root.Dispose();
    }
}
