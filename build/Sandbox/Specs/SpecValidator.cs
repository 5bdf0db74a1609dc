using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace AccoReboot.Sandbox.Specs;

/// <summary>What the validator made of a request: the operation, and why it would be refused.</summary>
sealed record RequestCheck(SpecOperation? Operation, int Status, IReadOnlyList<string> Errors)
{
    public bool IsValid => Errors.Count == 0;
}

/// <summary>
/// Checks requests (and the emulator's own responses) against an API spec: the path and method exist, path and
/// query parameters have the declared types (unknown query parameters are refused), and the JSON body matches
/// the schema. OpenStack's per-microversion and per-action variants are chosen as the README of apispecs says.
/// </summary>
sealed class SpecValidator(ApiSpec spec)
{
    private readonly SchemaCompiler _compiler = new(spec);

    public ApiSpec Spec => spec;

    public RequestCheck CheckRequest(string method, IReadOnlyList<string> segments, IReadOnlyDictionary<string, string> query,
        string? contentType, string body, string microversion)
    {
        var (pathItem, operation) = spec.Find(segments, method);
        var path = "/" + string.Join('/', segments);
        if (pathItem == null) return new(null, 404, [$"{method} {path}: no such path in {spec.Name}"]);
        if (operation == null) return new(null, 405, [$"{method} {path}: the method is not allowed on {spec.Name}"]);

        var errors = new List<string>();
        var parameters = Parameters(pathItem, operation.Definition).ToList();
        foreach (var parameter in parameters.Where(p => p.location == "path"))
            if (operation.PathValues.TryGetValue(parameter.name, out var value))
                errors.AddRange(CheckValue($"path parameter {parameter.name}", value, parameter.schema, operation));
        foreach (var (name, value) in query)
        {
            var parameter = parameters.FirstOrDefault(p => p.location == "query" && p.name == name);
            if (parameter.name == null) errors.Add($"query parameter '{name}' is not declared for {method} {operation.PathTemplate}");
            else errors.AddRange(CheckValue($"query parameter {name}", value, parameter.schema, operation));
        }
        foreach (var parameter in parameters.Where(p => p.location == "query" && p.required && !query.ContainsKey(p.name)))
            errors.Add($"query parameter '{parameter.name}' is required");

        var requestBody = operation.Definition["requestBody"] is { } rb ? spec.Resolve(rb) : null;
        var schema = requestBody?["content"]?["application/json"]?["schema"];
        if (schema == null)
        {
            if (body.Trim().Length > 0) errors.Add($"{method} {operation.PathTemplate} takes no request body");
        }
        else if (body.Trim().Length == 0)
        {
            if (requestBody?["required"]?.GetValue<bool>() == true) errors.Add("a JSON request body is required");
        }
        else
        {
            if (contentType == null || !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
                errors.Add($"Content-Type must be application/json, not '{contentType}'");
            errors.AddRange(CheckBody(schema, body, request: true, microversion, operation));
        }
        return new(operation, errors.Count == 0 ? 200 : 400, errors);
    }

    public IReadOnlyList<string> CheckResponse(SpecOperation operation, int status, string body, string microversion)
    {
        var responses = operation.Definition["responses"]?.AsObject();
        var response = responses?[status.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        if (response == null)
            return status < 400 && responses?.Any(r => r.Key.StartsWith('2')) == true
                ? [$"{operation.Method} {operation.PathTemplate}: status {status} is not documented"]
                : [];
        var schema = spec.Resolve(response)["content"]?["application/json"]?["schema"];
        if (schema == null || body.Trim().Length == 0) return [];
        return CheckBody(schema, body, request: false, microversion, operation).ToList();
    }

    private IEnumerable<string> CheckBody(JsonNode schema, string body, bool request, string microversion, SpecOperation operation)
    {
        JsonNode? instance;
        try
        {
            instance = JsonNode.Parse(body);
        }
        catch (JsonException e)
        {
            return [$"the body is not JSON: {e.Message}"];
        }
        var action = instance is JsonObject o && o.Count == 1 && operation.PathTemplate.EndsWith("/action", StringComparison.Ordinal) ? o.First().Key : null;
        var selected = Select(schema, microversion, action);
        if (selected == null) return [$"no schema variant for action '{action}' at microversion {microversion}"];
        var compiled = _compiler.Compile(selected, request, $"{operation.Method} {operation.PathTemplate} {microversion} {action}");
        using var document = JsonDocument.Parse(body);
        var result = compiled.Evaluate(document.RootElement, SchemaCompiler.Options);
        return result.IsValid ? [] : Describe(result);
    }

    /// <summary>Picks the variant for the microversion (x-openstack discriminator) and the action (x-openstack action-name).</summary>
    private JsonNode? Select(JsonNode schema, string microversion, string? action)
    {
        var resolved = spec.Resolve(schema);
        if (resolved["oneOf"] is not JsonArray variants) return schema;
        var discriminator = resolved["x-openstack"]?["discriminator"]?.GetValue<string>();
        if (discriminator == "microversion")
        {
            var wanted = Version(microversion);
            var variant = variants.FirstOrDefault(v =>
            {
                var info = spec.Resolve(v!)["x-openstack"];
                var min = info?["min-ver"]?.GetValue<string>() is { } a ? Version(a) : new Version(0, 0);
                var max = info?["max-ver"]?.GetValue<string>() is { } b ? Version(b) : new Version(99, 99);
                return wanted >= min && wanted <= max;
            });
            return variant == null ? null : Select(variant, microversion, action);
        }
        if (action != null)
        {
            var variant = variants.FirstOrDefault(v => spec.Resolve(v!)["x-openstack"]?["action-name"]?.GetValue<string>() == action
                                                    || (spec.Resolve(v!)["properties"] is JsonObject p && p.ContainsKey(action) && p.Count == 1));
            return variant == null ? null : Select(variant, microversion, action);
        }
        return schema;
    }

    private static Version Version(string text) => System.Version.TryParse(text.Contains('.') ? text : text + ".0", out var v) ? v : new Version(2, 1);

    private IEnumerable<(string name, string location, bool required, JsonNode? schema)> Parameters(JsonObject pathItem, JsonObject operation)
    {
        var all = (pathItem["parameters"] as JsonArray ?? []).Concat(operation["parameters"] as JsonArray ?? []);
        foreach (var item in all)
        {
            var parameter = spec.Resolve(item!);
            yield return (parameter["name"]!.GetValue<string>(), parameter["in"]!.GetValue<string>(),
                parameter["required"]?.GetValue<bool>() == true, parameter["schema"]);
        }
    }

    private IEnumerable<string> CheckValue(string what, string raw, JsonNode? schema, SpecOperation operation)
    {
        if (schema == null) yield break;
        var resolved = spec.Resolve(schema);
        var type = resolved["type"] is JsonArray types ? types.FirstOrDefault(t => t!.GetValue<string>() != "null")?.GetValue<string>() : resolved["type"]?.GetValue<string>();
        JsonNode? value = type switch
        {
            "integer" when long.TryParse(raw, out var l) => JsonValue.Create(l),
            "number" when double.TryParse(raw, System.Globalization.CultureInfo.InvariantCulture, out var d) => JsonValue.Create(d),
            "boolean" when bool.TryParse(raw, out var b) => JsonValue.Create(b),
            "integer" or "number" or "boolean" => null,
            "array" => new JsonArray(raw.Split(',').Select(s => (JsonNode)JsonValue.Create(s)).ToArray()),
            _ => JsonValue.Create(raw),
        };
        if (value == null)
        {
            yield return $"{what}: '{raw}' is not {type}";
            yield break;
        }
        var compiled = _compiler.Compile(schema, request: true, $"{operation.Method} {operation.PathTemplate} {what}");
        using var document = JsonDocument.Parse(value.ToJsonString());
        var result = compiled.Evaluate(document.RootElement, SchemaCompiler.Options);
        if (!result.IsValid)
            foreach (var error in Describe(result)) yield return $"{what} '{raw}': {error}";
    }

    /// <summary>The errors of the failing nodes only: a failed branch of a oneOf that another branch satisfied is not one.</summary>
    private static IEnumerable<string> Describe(EvaluationResults result)
    {
        var errors = new List<string>();
        void Walk(EvaluationResults node)
        {
            if (node.IsValid) return;
            foreach (var (_, message) in node.Errors ?? new Dictionary<string, string>())
                errors.Add($"{(node.InstanceLocation.ToString() is { Length: > 0 } at ? at : "/")}: {message}");
            foreach (var child in node.Details ?? []) Walk(child);
        }
        Walk(result);
        return errors.Distinct().Take(10).DefaultIfEmpty("does not match the schema");
    }
}
