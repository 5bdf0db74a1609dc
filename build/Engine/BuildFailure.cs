namespace BuildEngine;

/// <summary>
/// An error the user can act on: the engine prints its message as one line, without a stack trace,
/// and exits non-zero. Anything else that escapes a target is a bug and is shown in full.
/// </summary>
public class BuildFailure(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The process exit code for this failure (1 unless a more specific one is given).</summary>
    public int ExitCode { get; init; } = 1;
}
