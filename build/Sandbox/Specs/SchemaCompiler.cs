using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Json.Schema;

namespace AccoReboot.Sandbox.Specs;

/// <summary>
/// Turns an OpenAPI schema into a JSON Schema (2020-12) evaluator. OpenAPI 3.0 specifics are translated:
/// nullable becomes a null alternative, read-only properties are not required in requests, and request objects
/// of the OVH API get additionalProperties: false so that a misspelt field is caught, not silently dropped.
/// Only formats with a precise meaning are checked (uuid, date-time, ipv4, ipv6).
/// </summary>
sealed class SchemaCompiler(ApiSpec spec)
{
    private static readonly HashSet<string> CheckedFormats = ["uuid", "date-time", "ipv4", "ipv6"];
    // JSON Schema 2020-12 keywords; anything else (OpenAPI's example, discriminator, x-…, and typos in the
    // specs such as "descripion") is an annotation at most and is dropped before compiling
    private static readonly HashSet<string> Keywords =
    [
        "$ref", "$defs", "type", "enum", "const", "properties", "required", "additionalProperties", "patternProperties",
        "propertyNames", "minProperties", "maxProperties", "items", "prefixItems", "contains", "minItems", "maxItems",
        "uniqueItems", "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentRequired", "dependentSchemas",
        "format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength",
        "pattern", "description", "title", "default", "readOnly", "writeOnly",
    ];
    private const string SchemasPrefix = "#/components/schemas/";

    private readonly ConcurrentDictionary<string, JsonSchema> _cache = new();
    // building registers the schema in a registry that is not thread-safe: each compiler has its own (emulators
    // run side by side in the tests), and builds one schema at a time
    private readonly BuildOptions _build = new() { SchemaRegistry = new SchemaRegistry() };
    private readonly Lock _building = new();

    public static readonly EvaluationOptions Options = new() { OutputFormat = OutputFormat.Hierarchical, RequireFormatValidation = true };

    static SchemaCompiler()
    {
        // OpenStack writes UUIDs as 32 hex digits, with or without dashes (oslo uuidutils.is_uuid_like)
        FormatRegistry.Global.Register(new RegexFormat("uuid", "^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"));
    }

    public JsonSchema Compile(JsonNode schema, bool request, string cacheKey) =>
        _cache.GetOrAdd($"{(request ? "request" : "response")}:{cacheKey}", _ =>
        {
            var root = Transform(schema.DeepClone(), request) as JsonObject ?? new JsonObject();
            var definitions = new JsonObject();
            var pending = new Stack<string>(References(schema));
            var seen = new HashSet<string>();
            while (pending.Count > 0)
            {
                var name = pending.Pop();
                if (!seen.Add(name)) continue;
                var definition = spec.Pointer(SchemasPrefix + name);
                foreach (var next in References(definition)) pending.Push(next);
                definitions[name] = Transform(definition.DeepClone(), request);
            }
            if (root.ContainsKey("$defs")) root = new JsonObject { ["allOf"] = new JsonArray(root) };
            root["$defs"] = definitions;
            lock (_building) return JsonSchema.FromText(root.ToJsonString(), _build);
        });

    private static IEnumerable<string> References(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                if (o["$ref"]?.GetValue<string>() is { } reference && reference.StartsWith(SchemasPrefix, StringComparison.Ordinal))
                    yield return reference[SchemasPrefix.Length..];
                foreach (var (_, value) in o)
                foreach (var found in References(value))
                    yield return found;
                break;
            case JsonArray a:
                foreach (var item in a)
                foreach (var found in References(item))
                    yield return found;
                break;
        }
    }

    private void Replace(JsonObject parent, string key, bool request)
    {
        var child = parent[key];
        parent[key] = null; // detach: a transformed node may be wrapped in a new one
        parent[key] = Transform(child, request);
    }

    private JsonNode? Transform(JsonNode? node, bool request)
    {
        if (node is not JsonObject schema) return node;
        if (schema["$ref"]?.GetValue<string>() is { } reference && reference.StartsWith(SchemasPrefix, StringComparison.Ordinal))
            schema["$ref"] = "#/$defs/" + reference[SchemasPrefix.Length..];

        var nullable = spec.IsOpenApi30 && schema["nullable"]?.GetValue<bool>() == true;
        foreach (var key in schema.Select(p => p.Key).Where(k => !Keywords.Contains(k)).ToList())
            schema.Remove(key);
        if (schema["format"]?.GetValue<string>() is { } format && !CheckedFormats.Contains(format)) schema.Remove("format");
        if (schema["exclusiveMinimum"] is JsonValue exclusive && exclusive.TryGetValue<bool>(out var isExclusive))
        {
            schema.Remove("exclusiveMinimum");
            if (isExclusive && schema["minimum"] is { } minimum) { schema.Remove("minimum"); schema["exclusiveMinimum"] = minimum.DeepClone(); }
        }

        if (schema["properties"] is JsonObject properties)
        {
            if (request && schema["required"] is JsonArray required)
            {
                var readOnly = properties.Where(p => p.Value is JsonObject ps && ps["readOnly"]?.GetValue<bool>() == true).Select(p => p.Key).ToHashSet();
                foreach (var item in required.Where(r => readOnly.Contains(r!.GetValue<string>())).ToList()) required.Remove(item);
            }
            if (request && spec.IsOpenApi30 && !schema.ContainsKey("additionalProperties"))
                schema["additionalProperties"] = false;
            foreach (var name in properties.Select(p => p.Key).ToList())
                Replace(properties, name, request);
        }
        foreach (var key in new[] { "items", "additionalProperties", "not", "contains", "propertyNames" })
            if (schema[key] is JsonObject) Replace(schema, key, request);
        // OpenStack's generated schemas use oneOf where the alternatives overlap (e.g. the server create answer
        // matches both of its variants): read them as anyOf, as the apispecs README advises
        if (!spec.IsOpenApi30 && schema["oneOf"] is JsonArray overlapping && !schema.ContainsKey("anyOf"))
        {
            schema.Remove("oneOf");
            schema["anyOf"] = overlapping;
        }
        foreach (var key in new[] { "allOf", "anyOf", "oneOf", "prefixItems" })
            if (schema[key] is JsonArray list)
                for (var i = 0; i < list.Count; i++)
                {
                    var item = list[i];
                    list[i] = null; // detach: a transformed node may be wrapped in a new one
                    list[i] = Transform(item, request);
                }
        if (schema["patternProperties"] is JsonObject patterns)
            foreach (var name in patterns.Select(p => p.Key).ToList()) Replace(patterns, name, request);

        return nullable ? new JsonObject { ["anyOf"] = new JsonArray(new JsonObject { ["type"] = "null" }, schema) } : schema;
    }
}
