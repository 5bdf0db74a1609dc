namespace BuildEngine;

/// <summary>
/// The parsed command line: leading words are targets, <c>--name v1 v2</c> gives a parameter its values
/// (up to the next token starting with '-'; none means a bare flag), and everything after <c>--</c> is passed through.
/// </summary>
public sealed class CommandLine
{
    private readonly Dictionary<string, Argument> _named = new();

    public IReadOnlyList<string> Targets { get; }
    public IReadOnlyList<string> Passthrough { get; }
    public IEnumerable<Argument> Named => _named.Values;

    public sealed record Argument(string Written, IReadOnlyList<string> Values);

    private CommandLine(List<string> targets, List<string> passthrough)
    {
        Targets = targets;
        Passthrough = passthrough;
    }

    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        var targets = new List<string>();
        var passthrough = new List<string>();
        var named = new List<(string name, List<string> values)>();
        for (var i = 0; i < args.Count; i++)
        {
            var token = args[i];
            if (token == "--")
            {
                passthrough.AddRange(args.Skip(i + 1));
                break;
            }
            if (IsOption(token))
            {
                var name = token.TrimStart('-');
                string? inline = null;
                if (name.IndexOf('=') is var eq and > 0)
                {
                    inline = name[(eq + 1)..];
                    name = name[..eq];
                }
                named.Add((name, inline != null ? [inline] : []));
            }
            else if (named.Count == 0)
                targets.Add(token);
            else
                named[^1].values.Add(token);
        }

        var commandLine = new CommandLine(targets, passthrough);
        foreach (var (name, values) in named) // the last occurrence wins
            commandLine._named[NameStyle.Normalize(name)] = new Argument("--" + name, values);
        return commandLine;
    }

    public Argument? Get(string key) => _named.GetValueOrDefault(key);

    public bool Has(string key) => _named.ContainsKey(key);

    // "-5" and "-0.5" are values, not options
    private static bool IsOption(string token) =>
        token.Length > 1 && token[0] == '-' && !char.IsDigit(token[1]) && token[1] != '.';
}
