using BuildEngine;

namespace AccoReboot.Secrets.Sops;

/// <summary>One line of a dotenv document: KEY=value, or a #comment.</summary>
sealed record DotenvItem(string? Key, string Value)
{
    public bool IsComment => Key == null;

    public static DotenvItem Entry(string key, string value) => new(key, value);
    public static DotenvItem Comment(string text) => new(null, text);
}

/// <summary>
/// A dotenv document as SOPS reads it: KEY=VALUE lines (the key is everything before the first '=', spaces kept;
/// "\n" in a value is a newline; quotes are not stripped), #comments, empty lines dropped.
/// </summary>
sealed class DotenvDocument(IReadOnlyList<DotenvItem> items)
{
    public IReadOnlyList<DotenvItem> Items { get; } = items;

    public IEnumerable<DotenvItem> Entries => Items.Where(i => !i.IsComment);

    public string? this[string key] => Entries.LastOrDefault(e => e.Key == key)?.Value;

    public IReadOnlyDictionary<string, string> ToDictionary() =>
        Entries.GroupBy(e => e.Key!).ToDictionary(g => g.Key, g => g.Last().Value);

    /// <summary>
    /// Reads a document; with <paramref name="requireVariableNames"/> (credentials, which become environment
    /// variables) a key that is not a variable name is refused. sops itself takes any key, spaces included.
    /// </summary>
    public static DotenvDocument Parse(string text, string fileName, bool requireVariableNames = false)
    {
        var items = new List<DotenvItem>();
        var lines = text.Replace("\r\n", "\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Length == 0) continue;
            if (line.Trim().Length == 0)
                throw new BuildFailure($"{fileName}:{i + 1}: a line of only spaces is not valid dotenv (sops refuses it); remove it.");
            if (line.StartsWith('#'))
            {
                items.Add(DotenvItem.Comment(line[1..]));
                continue;
            }
            var equals = line.IndexOf('=');
            // the line itself is never shown: it may be a secret typed on the wrong line
            if (equals <= 0)
                throw new BuildFailure($"{fileName}:{i + 1}: expected KEY=value (a line of {line.Length} characters without '=').");
            var key = line[..equals];
            if (requireVariableNames && !ValidKey.IsMatch(key)) throw NotAVariableName(fileName, i + 1, key);
            if (key.StartsWith("sops_", StringComparison.Ordinal))
                throw new BuildFailure($"{fileName}:{i + 1}: keys starting with sops_ are reserved for SOPS metadata; rename '{key}'.");
            items.Add(DotenvItem.Entry(key, line[(equals + 1)..].Replace("\\n", "\n")));
        }
        return new DotenvDocument(items);
    }

    public string Render() =>
        string.Concat(Items.Select(i => i.IsComment ? $"#{i.Value}\n" : $"{i.Key}={i.Value.Replace("\n", "\\n")}\n"));

    /// <summary>Refuses a key that cannot be an environment variable, naming its line (one line per item, as sops writes them).</summary>
    public DotenvDocument RequireVariableNames(string fileName)
    {
        for (var i = 0; i < Items.Count; i++)
            if (Items[i].Key is { } key && !ValidKey.IsMatch(key)) throw NotAVariableName(fileName, i + 1, key);
        return this;
    }

    private static BuildFailure NotAVariableName(string fileName, int line, string key) =>
        new($"{fileName}:{line}: '{Shorten(key)}' is not a valid variable name (letters, digits and _, not starting with a digit), so it cannot reach the stack's environment; rename it (./build.sh SopsEdit).");

    private static readonly System.Text.RegularExpressions.Regex ValidKey = new("^[A-Za-z_][A-Za-z0-9_]*$");

    private static string Shorten(string line) => line.Length > 30 ? line[..30] + "…" : line;
}
