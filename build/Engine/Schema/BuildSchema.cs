using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BuildEngine;

/// <summary>
/// .nuke/build.schema.json: a JSON Schema of the parameter files, from the build's parameters and targets, so an
/// IDE completes and checks them. Rewritten only when its content changes (NUKE rewrites it on every run).
/// </summary>
public static class BuildSchema
{
    public static void WriteIfChanged(NukeBuild build, IReadOnlyList<ExecutableTarget> targets, IReadOnlyList<ParameterMember> parameters)
    {
        var path = Path.Combine(build.RootDirectory, ".nuke", "build.schema.json");
        // checked since the build and .nuke/ last changed (a profile added or removed changes the directory): the
        // schema cannot differ, and rendering it costs a run milliseconds; the mark is a file of .nuke/temp, so the
        // schema itself is only ever written when its content changes
        var checkedMark = Path.Combine(build.RootDirectory, ".nuke", "temp", "schema.checked");
        var checkedAt = File.GetLastWriteTimeUtc(checkedMark);
        if (File.Exists(checkedMark) && File.Exists(path) && checkedAt >= File.GetLastWriteTimeUtc(BuiltFrom(build)) &&
            checkedAt >= Directory.GetLastWriteTimeUtc(Path.GetDirectoryName(path)!))
            return;
        var content = Render(targets, parameters, Profiles.Available(build.RootDirectory));
        if (!File.Exists(path) || File.ReadAllText(path) != content) AtomicFile.WriteAllText(path, content);
        Directory.CreateDirectory(Path.GetDirectoryName(checkedMark)!);
        File.WriteAllText(checkedMark, "");
    }

    public static string Render(IReadOnlyList<ExecutableTarget> targets, IReadOnlyList<ParameterMember> parameters, IReadOnlyList<string> profiles)
    {
        var targetNames = new JsonArray(targets.Select(t => (JsonNode)JsonValue.Create(t.Name)).ToArray());
        var properties = new JsonObject { ["$schema"] = new JsonObject { ["type"] = "string" } };
        foreach (var parameter in parameters.Where(p => (!p.IsSecret && p.Member.DeclaringType != typeof(NukeBuild)) || p.Name is "target" or "skip"))
        {
            var isTargetList = parameter.Member.DeclaringType == typeof(NukeBuild);
            var schema = isTargetList
                ? new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["$ref"] = "#/definitions/ExecutableTarget" } }
                : TypeSchema(parameter.Type);
            if (parameter.SelectsProfile && profiles.Count > 0)
                schema["enum"] = new JsonArray(profiles.Select(p => (JsonNode)JsonValue.Create(p)).ToArray());
            if (parameter.Description != null) schema["description"] = parameter.Description;
            properties[isTargetList ? char.ToUpperInvariant(parameter.Name[0]) + parameter.Name[1..] : parameter.Name] = schema;
        }
        var document = new JsonObject
        {
            ["$schema"] = "http://json-schema.org/draft-07/schema#",
            ["title"] = "Build parameters (.nuke/parameters*.json)",
            ["type"] = "object",
            ["definitions"] = new JsonObject
            {
                ["ExecutableTarget"] = new JsonObject { ["type"] = "string", ["enum"] = targetNames },
            },
            ["properties"] = properties,
            ["additionalProperties"] = false,
        };
        return document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }).Replace("\r\n", "\n") + "\n";
    }

    private static JsonObject TypeSchema(Type type)
    {
        if (type.IsArray) return new JsonObject { ["type"] = "array", ["items"] = TypeSchema(type.GetElementType()!) };
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t.IsEnum)
            return new JsonObject { ["type"] = "string", ["enum"] = new JsonArray(Enum.GetNames(t).Select(n => (JsonNode)JsonValue.Create(n)).ToArray()) };
        var name = t == typeof(bool) ? "boolean"
            : t == typeof(int) || t == typeof(long) ? "integer"
            : t == typeof(double) ? "number"
            : "string";
        return new JsonObject { ["type"] = name };
    }

    /// <summary>The file the build's code is in: its assembly, or the program itself when compiled ahead of time (no assembly file then).</summary>
    private static string BuiltFrom(NukeBuild build) =>
        build.GetType().Assembly.Location is { Length: > 0 } assembly ? assembly : Environment.ProcessPath!;
}
