using System.Text.RegularExpressions;

namespace AccoReboot.Sandbox.Emulator;

enum FaultKind
{
    /// <summary>Do the work, then answer 500 (OVH's documented "500 but created").</summary>
    ServerErrorAfterWork,
    /// <summary>Answer 500 without doing anything.</summary>
    ServerError,
    /// <summary>Answer 409 ServiceNotReady.</summary>
    NotReady,
    /// <summary>Answer 429 with Retry-After.</summary>
    TooManyRequests,
    /// <summary>Wait, then answer normally.</summary>
    Latency,
    /// <summary>Close the connection without an answer, before doing anything.</summary>
    DropConnection,
    /// <summary>Do the work, then close the connection without an answer.</summary>
    DropConnectionAfterWork,
    /// <summary>The next server created goes to ERROR with this fault message.</summary>
    ServerGoesToError,
}

/// <summary>A fault to inject into matching requests: method and a path pattern, skipping some, then so many times.</summary>
sealed class Fault(FaultKind kind, string method, string pathPattern, int times = 1, int skip = 0)
{
    private readonly Regex _path = new(pathPattern);
    private int _seen;
    private int _fired;

    public FaultKind Kind { get; } = kind;
    public TimeSpan Delay { get; init; } = TimeSpan.FromMilliseconds(200);
    public string Message { get; init; } = "No valid host was found. There are not enough hosts available.";
    public int Fired => _fired;

    public bool Matches(EmulatorRequest request)
    {
        if (!string.Equals(request.Method, method, StringComparison.OrdinalIgnoreCase) || !_path.IsMatch(request.Path)) return false;
        if (Interlocked.Increment(ref _seen) <= skip) return false;
        if (Interlocked.Increment(ref _fired) > times) return false;
        return true;
    }
}
