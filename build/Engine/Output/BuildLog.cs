using System.Text.RegularExpressions;
using Spectre.Console;

namespace BuildEngine;

public enum LogLevel
{
    Debug,
    Info,
    Warning,
    Error,
}

/// <summary>
/// Everything the build prints: to the console and to .nuke/temp/build.log, both through the secret masker.
/// Warnings and errors are kept and repeated at the end of the run.
/// </summary>
public sealed partial class BuildLog : IDisposable
{
    private readonly TextWriter _data;
    private TextWriter _out;
    private readonly TextWriter _error;
    private readonly TextWriter? _file;
    private readonly List<string> _problems = [];
    private readonly object _gate = new();

    public BuildLog(TextWriter stdout, TextWriter stderr, SecretMasker masker, string? logFile = null, bool verbose = false,
        bool? ansi = null)
    {
        Masker = masker;
        Verbose = verbose;
        if (logFile != null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(logFile)!);
            _file = new MaskingTextWriter(new StreamWriter(logFile, append: false) { AutoFlush = true }, masker);
        }
        _out = new MaskingTextWriter(_file == null ? stdout : new TeeWriter(stdout, _file), masker);
        _data = _out;
        _error = new MaskingTextWriter(_file == null ? stderr : new TeeWriter(stderr, _file), masker);
        // made when first used: --help and the plain-text lines never need Spectre (no Lazy<IAnsiConsole> either,
        // whose type alone loads Spectre's assembly)
        _consoleAnsi = ansi;
        // colour without Spectre (its console costs about 30 ms to set up): the host says false for a pipe, a file
        // or NO_COLOR; left open, a terminal that is not "dumb" gets colour
        _ansi = ansi ?? System.Environment.GetEnvironmentVariable("TERM") is not ("dumb" or "");
        _width = ansi == true || !System.Console.IsOutputRedirected ? TerminalWidth() : 160;
    }

    private readonly bool _ansi;
    private readonly int _width;

    private static int TerminalWidth()
    {
        try
        {
            return System.Console.WindowWidth is > 0 and var width ? width : 80;
        }
        catch (IOException)
        {
            return 80;
        }
    }

    /// <summary>A target's header, "── Name ────…" across the width, as NUKE prints it.</summary>
    public void Header(string name)
    {
        var rule = new string('─', Math.Max(3, _width - name.Length - 4));
        _out.WriteLine($"── {Colour("1", name)} {rule}");
    }

    /// <summary>A line in a colour (ANSI code: 32 green, 31 red, 33 yellow, 90 grey, 1 bold), plain where colour is off.</summary>
    public string Coloured(string code, string text) => Colour(code, text);

    private IAnsiConsole CreateConsole(TextWriter writer, bool? ansi)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = ansi switch { true => AnsiSupport.Yes, false => AnsiSupport.No, _ => AnsiSupport.Detect },
            ColorSystem = ansi == false ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = InteractionSupport.Detect,
        });
        // redirected output (CI logs, files) has no width: do not wrap tables at 80 columns there
        if (console.Profile.Width <= 80 && (ansi != true) && System.Console.IsOutputRedirected) console.Profile.Width = 160;
        return console;
    }

    /// <summary>
    /// From now on only data (Out) goes to stdout; headers, progress and the summary go to stderr. For output that
    /// programs read, such as Plan --json.
    /// </summary>
    public void SendChromeToStandardError()
    {
        _out.Flush();
        _out = _error;
        lock (_gate)
        {
            _console = null;
            _consoleAnsi = false;
        }
    }

    public SecretMasker Masker { get; }
    public bool Verbose { get; }

    /// <summary>Spectre.Console over the masked output, for tables, prompts and live progress.</summary>
    public IAnsiConsole Console
    {
        get
        {
            lock (_gate) return _console ??= CreateConsole(_out, _consoleAnsi);
        }
    }

    private IAnsiConsole? _console;
    private bool? _consoleAnsi;

    /// <summary>The masked standard output, for text that is the result of a command (plans as JSON, rendered files).</summary>
    public TextWriter Out => _data;

    public IReadOnlyList<string> Problems => _problems;

    public void Debug(string message)
    {
        if (Verbose) _out.WriteLine(Colour("90", message));
        else _file?.WriteLine(message);
    }

    private static readonly Lazy<DateTime> ProcessStart = new(() =>
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return process.StartTime;
    });

    /// <summary>
    /// The end of a phase of a run, in milliseconds since the process started (so it adds up with a timing taken
    /// from outside): always in the log file, on screen with --verbose; the benches print them as their breakdown.
    /// </summary>
    public void Phase(string what) => Debug($"phase {(DateTime.Now - ProcessStart.Value).TotalMilliseconds,7:0} ms  {what}");

    /// <summary>A diagnostic line on stderr that is not a problem (start-up trace).</summary>
    public void Trace(string message) => _error.WriteLine(message);

    // Plain lines, never wrapped: a wrapped line could split a secret around the masker, and logs are grepped.
    public void Info(string message) => _out.WriteLine(message);

    public void Success(string message) => _out.WriteLine(Colour("32", message));

    // Warnings and errors go to stderr as plain text: read by people and by scripts alike.
    public void Warn(string message)
    {
        lock (_gate) _problems.Add("warning: " + message);
        _error.WriteLine("warning: " + message);
    }

    public void Error(string message)
    {
        lock (_gate) _problems.Add("error: " + message);
        _error.WriteLine("error: " + message);
    }

    /// <summary>A line of a child process's output, passed through as it is (after masking).</summary>
    public void Raw(string line) => _out.WriteLine(line);

    public void Flush()
    {
        _data.Flush();
        _out.Flush();
        _error.Flush();
    }

    public void Dispose()
    {
        Flush();
        _file?.Dispose();
    }

    private string Colour(string code, string text) => _ansi ? $"\u001b[{code}m{text}\u001b[0m" : text;

    private sealed class TeeWriter(TextWriter console, TextWriter file) : TextWriter
    {
        public override System.Text.Encoding Encoding => console.Encoding;
        public override void Write(char value) { console.Write(value); file.Write(value); }
        public override void Write(string? value)
        {
            console.Write(value);
            // most lines carry no colour: the regular expression (and its assembly) only for those that do
            file.Write(value != null && value.Contains('\x1B') ? AnsiEscapes().Replace(value, "") : value);
        }
        public override void Flush() { console.Flush(); file.Flush(); }
    }

    [GeneratedRegex(@"\x1B\[[0-9;?]*[A-Za-z]")]
    private static partial Regex AnsiEscapes();
}
