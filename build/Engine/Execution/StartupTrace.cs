using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace BuildEngine;

/// <summary>
/// NUKE_STARTUP_TRACE=1: where the start-up goes, phase by phase, from the process's start (runtime and assembly
/// loading included) to the first target; bench/startup prints it as its breakdown.
/// </summary>
sealed class StartupTrace
{
    // strings, not value tuples: a List of a struct is compiled by the JIT at start-up, also when tracing is off
    private readonly List<string> _marks = [];
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private readonly double _beforeMain;
    private double _last;

    private StartupTrace(bool enabled)
    {
        Enabled = enabled;
        if (!enabled) return;
        using var process = Process.GetCurrentProcess();
        _beforeMain = (DateTime.Now - process.StartTime).TotalMilliseconds;
        _marks.Add(Line(RuntimeFeature.IsDynamicCodeSupported
            ? "process start to Run (build.sh, which exec()s the build, .NET host, assembly loading)"
            : "process start to Run (build.sh, which exec()s the build, the native program's start)", _beforeMain));
    }

    public bool Enabled { get; }

    public static StartupTrace From(BuildHost host) =>
        new(host.Environment.GetVariable("NUKE_STARTUP_TRACE") is "1" or "true");

    public void Mark(string phase)
    {
        if (!Enabled) return;
        var now = _watch.Elapsed.TotalMilliseconds;
        _marks.Add(Line(phase, now - _last));
        _last = now;
    }

    private static string Line(string phase, double milliseconds) => $"startup {milliseconds,8:0.0} ms  {phase}";

    public void Report(BuildLog log)
    {
        if (!Enabled) return;
        foreach (var mark in _marks) log.Trace(mark);
        log.Trace($"startup {_beforeMain + _last,8:0.0} ms  total to here");
        // a native build is one program: nothing is loaded, the list would name everything
        if (!RuntimeFeature.IsDynamicCodeSupported) return;
        // each assembly loaded costs start-up time: the list says which parts of the build a start touched
        var loaded = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name ?? "?").Order(StringComparer.Ordinal).ToList();
        log.Trace($"startup {loaded.Count} assemblies loaded: {string.Join(", ", loaded)}");
    }
}
