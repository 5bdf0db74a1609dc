using System.Text.Json;

namespace BuildEngine;

/// <summary>A <c>.nuke/parameters[.profile].json</c> file: parameter name → JSON value. "$schema"-like keys are ignored.</summary>
public sealed class ParameterFile
{
    // entries are a class, not a value tuple: each generic instantiation over a struct is compiled at start-up
    // (ReadyToRun cannot hold it), and this file is read by every run
    private sealed class Entry(string key, JsonElement value)
    {
        public string Key { get; } = key;
        public JsonElement Value { get; } = value;
    }

    private readonly Dictionary<string, Entry> _values;

    private ParameterFile(string path, Dictionary<string, Entry> values)
    {
        Path = path;
        _values = values;
    }

    public string Path { get; }
    public IEnumerable<string> Keys => _values.Values.Select(v => v.Key);

    public bool TryGet(string normalizedName, out JsonElement value)
    {
        var found = _values.TryGetValue(normalizedName, out var entry);
        value = entry?.Value ?? default;
        return found;
    }

    public static ParameterFile Empty(string path) => new(path, new());

    public static ParameterFile Load(string path, string displayPath)
    {
        var values = new Dictionary<string, Entry>();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions
            {
                CommentHandling = JsonCommentHandling.Skip,
                AllowTrailingCommas = true,
            });
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $":{line + 1}:{(e.BytePositionInLine ?? 0) + 1}" : "";
            throw new BuildFailure($"{displayPath}{where}: malformed JSON ({FirstSentence(e.Message)}). Fix the file and run again.");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new BuildFailure($"{displayPath}: must hold a JSON object of parameter names to values.");
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name.StartsWith('$')) continue;
                values[NameStyle.Normalize(property.Name)] = new Entry(property.Name, property.Value.Clone());
            }
        }
        return new ParameterFile(displayPath, values);
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.', ' ');
    }
}
