using System.Diagnostics;

namespace BuildEngine;

/// <summary>
/// NUKE_STARTUP_TRACE=1: where the start-up goes, phase by phase, from the process's start (runtime and assembly
/// loading included) to the first target; bench/startup prints it as its breakdown.
/// </summary>
sealed class StartupTrace
{
    private readonly List<(string Phase, double Milliseconds)> _marks = [];
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private readonly double _beforeMain;
    private double _last;

    private StartupTrace(bool enabled)
    {
        Enabled = enabled;
        if (!enabled) return;
        using var process = Process.GetCurrentProcess();
        _beforeMain = (DateTime.Now - process.StartTime).TotalMilliseconds;
        _marks.Add(("process start to Run (build.sh, which exec()s the build, .NET host, assembly loading)", _beforeMain));
    }

    public bool Enabled { get; }

    public static StartupTrace From(BuildHost host) =>
        new(host.Environment.GetVariable("NUKE_STARTUP_TRACE") is "1" or "true");

    public void Mark(string phase)
    {
        if (!Enabled) return;
        var now = _watch.Elapsed.TotalMilliseconds;
        _marks.Add((phase, now - _last));
        _last = now;
    }

    public void Report(BuildLog log)
    {
        if (!Enabled) return;
        foreach (var (phase, ms) in _marks) log.Trace($"startup {ms,8:0.0} ms  {phase}");
        log.Trace($"startup {_beforeMain + _last,8:0.0} ms  total to here");
    }
}
