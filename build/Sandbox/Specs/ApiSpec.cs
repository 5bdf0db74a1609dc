using System.Text.Json.Nodes;

namespace AccoReboot.Sandbox.Specs;

/// <summary>One operation of an OpenAPI document: its path template, method and definition.</summary>
sealed record SpecOperation(ApiSpec Spec, string PathTemplate, string Method, JsonObject Definition, IReadOnlyDictionary<string, string> PathValues);

/// <summary>
/// An OpenAPI document (3.0 JSON for OVH, 3.1 YAML for OpenStack) from apispecs/: finds the operation a request
/// maps to, and resolves the $refs its parameters and schemas use.
/// </summary>
sealed class ApiSpec
{
    private readonly List<(string template, string[] segments, JsonObject item)> _paths;

    private ApiSpec(string name, JsonObject document)
    {
        Name = name;
        Document = document;
        IsOpenApi30 = document["openapi"]?.GetValue<string>().StartsWith("3.0", StringComparison.Ordinal) == true;
        _paths = document["paths"]!.AsObject()
            .Select(p => (p.Key, p.Key.Trim('/').Split('/'), p.Value!.AsObject()))
            .ToList();
    }

    public string Name { get; }
    public JsonObject Document { get; }
    public bool IsOpenApi30 { get; }

    public static ApiSpec Load(string path)
    {
        var text = File.ReadAllText(path);
        var node = path.EndsWith(".json", StringComparison.Ordinal) ? JsonNode.Parse(text) : YamlJson.Convert(text);
        return new ApiSpec(Path.GetFileNameWithoutExtension(path), node!.AsObject());
    }

    /// <summary>The operation for a path (segments already percent-decoded) and method; null when the path is unknown.</summary>
    public (JsonObject? pathItem, SpecOperation? operation) Find(IReadOnlyList<string> segments, string method)
    {
        foreach (var (template, templateSegments, item) in _paths)
        {
            if (templateSegments.Length != segments.Count) continue;
            var values = new Dictionary<string, string>();
            var matched = true;
            for (var i = 0; i < segments.Count && matched; i++)
            {
                var part = templateSegments[i];
                if (part.StartsWith('{') && part.EndsWith('}')) values[part[1..^1]] = segments[i];
                else matched = part == segments[i];
            }
            if (!matched) continue;
            var operation = item[method.ToLowerInvariant()] as JsonObject;
            return (item, operation == null ? null : new SpecOperation(this, template, method.ToUpperInvariant(), operation, values));
        }
        return (null, null);
    }

    /// <summary>Follows a local $ref ("#/components/…") until a node without one.</summary>
    public JsonNode Resolve(JsonNode node)
    {
        for (var depth = 0; depth < 32 && node is JsonObject o && o["$ref"]?.GetValue<string>() is { } reference; depth++)
            node = Pointer(reference);
        return node;
    }

    public JsonNode Pointer(string reference)
    {
        if (!reference.StartsWith("#/", StringComparison.Ordinal)) throw new InvalidOperationException($"non-local $ref {reference}");
        JsonNode current = Document;
        foreach (var raw in reference[2..].Split('/'))
        {
            var key = raw.Replace("~1", "/").Replace("~0", "~");
            current = current[key] ?? throw new InvalidOperationException($"$ref {reference} does not resolve");
        }
        return current;
    }
}
