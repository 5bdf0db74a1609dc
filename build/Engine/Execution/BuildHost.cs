using System.Runtime.InteropServices;

namespace BuildEngine;

/// <summary>What the build runs in: console streams, environment, working directory and interrupt signals.</summary>
public sealed class BuildHost
{
    public required TextWriter Out { get; init; }
    public required TextWriter Error { get; init; }
    /// <summary>Where answers to questions come from; null: the console's input, set up only when a question is asked.</summary>
    public required TextReader? In { get; init; }
    public required IProcessEnvironment Environment { get; init; }
    public required string WorkingDirectory { get; init; }

    /// <summary>Force ANSI on or off; null detects it.</summary>
    public bool? Ansi { get; init; }

    /// <summary>How long a running target may take to stop after Ctrl+C before the assured targets run anyway.</summary>
    public TimeSpan AbortGracePeriod { get; init; } = TimeSpan.FromSeconds(10);

    public InterruptSignal Interrupts { get; } = new();

    public static BuildHost System()
    {
        var host = new BuildHost
        {
            Out = Console.Out,
            Error = Console.Error,
            In = null, // Console.In sets the terminal up: a cost every start would pay, for the few runs that ask

            Environment = new SystemEnvironment(),
            WorkingDirectory = Directory.GetCurrentDirectory(),
            // through a pipe or in a file, escape codes are noise
            Ansi = Console.IsOutputRedirected || global::System.Environment.GetEnvironmentVariable("NO_COLOR") != null ? false : null,
        };
        // Ctrl+C (SIGINT) through a signal registration, not Console.CancelKeyPress, which sets the terminal up
        // first (a cost at every start); cancelled: the process stays, the engine stops the target and runs the assured ones
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            host.Interrupts.Raise();
        });
        // SIGTERM (docker stop, CI cancel) is handled like Ctrl+C; the registration must stay alive.
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            host.Interrupts.Raise();
        });
        return host;
    }

    private static PosixSignalRegistration? _sigterm;
    private static PosixSignalRegistration? _sigint;
}

/// <summary>Ctrl+C as a pair of tokens: the first interrupt aborts the targets, the second the assured ones too.</summary>
public sealed class InterruptSignal
{
    private readonly CancellationTokenSource _first = new();
    private readonly CancellationTokenSource _second = new();
    private int _count;

    public CancellationToken Aborted => _first.Token;
    public CancellationToken AbortedTwice => _second.Token;

    public void Raise()
    {
        switch (Interlocked.Increment(ref _count))
        {
            case 1: _first.Cancel(); break;
            case 2: _second.Cancel(); break;
            default: Environment.Exit(130); break;
        }
    }
}
