using System.Globalization;
using System.Text.Json;

namespace BuildEngine;

/// <summary>Converts raw parameter values (command-line words or JSON) into the member's type, or says why not.</summary>
public static class ParameterValue
{
    public static object? FromWords(IReadOnlyList<string> words, Type type, string display, string source)
    {
        var (elementType, isArray) = Shape(type);
        if (isArray)
        {
            var items = words.Select(w => Scalar(w, elementType, display, source)).ToArray();
            return ToArray(items, elementType);
        }
        if (words.Count == 0)
            return Unwrap(type) == typeof(bool)
                ? true
                : throw new BuildFailure($"{display} needs a value ({source}): {Expected(type)}.");
        if (words.Count > 1)
            throw new BuildFailure($"{display} takes one value but got {words.Count} ({source}): '{string.Join(" ", words)}'. Quote it if it contains spaces.");
        return Scalar(words[0], type, display, source);
    }

    public static object? FromJson(JsonElement json, Type type, string display, string source)
    {
        var (elementType, isArray) = Shape(type);
        if (json.ValueKind == JsonValueKind.Null) return null;
        if (isArray)
        {
            if (json.ValueKind != JsonValueKind.Array)
                throw new BuildFailure($"{display} in {source} must be a JSON array of {Expected(elementType)}.");
            var items = new List<object?>();
            foreach (var item in json.EnumerateArray()) items.Add(FromJson(item, elementType, display, source)); // a loop: no LINQ over a struct to compile at start-up
            return ToArray(items.ToArray(), elementType);
        }
        var text = json.ValueKind switch
        {
            JsonValueKind.String => json.GetString()!,
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => json.GetRawText(),
            _ => throw new BuildFailure($"{display} in {source} must be {Expected(type)}, not a JSON {json.ValueKind.ToString().ToLowerInvariant()}."),
        };
        return Scalar(text, type, display, source);
    }

    /// <summary>How a value is described in help and errors: "an integer", "one of: A, B".</summary>
    public static string Expected(Type type)
    {
        var (elementType, isArray) = Shape(type);
        if (isArray) return "a list of " + Expected(elementType);
        var t = Unwrap(type);
        if (t.IsEnum) return "one of: " + string.Join(", ", Enum.GetNames(t));
        if (t == typeof(bool)) return "true or false";
        if (t == typeof(int) || t == typeof(long)) return "an integer";
        if (t == typeof(double) || t == typeof(decimal)) return "a number";
        return "a text";
    }

    public static (Type element, bool isArray) Shape(Type type) =>
        type.IsArray ? (type.GetElementType()!, true) : (type, false);

    private static Type Unwrap(Type type) => Nullable.GetUnderlyingType(type) ?? type;

    private static object Scalar(string text, Type type, string display, string source)
    {
        var t = Unwrap(type);
        object? value = null;
        if (t == typeof(string)) value = text;
        else if (t == typeof(bool)) value = text.ToLowerInvariant() switch
        {
            "true" or "yes" or "1" => true,
            "false" or "no" or "0" => false,
            _ => null,
        };
        else if (t == typeof(int) && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i)) value = i;
        else if (t == typeof(long) && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l)) value = l;
        else if (t == typeof(double) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) value = d;
        else if (t.IsEnum && Enum.GetNames(t).FirstOrDefault(n => NameStyle.Normalize(n) == NameStyle.Normalize(text)) is { } name)
            value = Enum.Parse(t, name);
        return value ?? throw new BuildFailure($"Invalid value '{text}' for {display} ({source}): expected {Expected(type)}.");
    }

    private static Array ToArray(object?[] items, Type elementType)
    {
        var array = Array.CreateInstance(elementType, items.Length);
        for (var i = 0; i < items.Length; i++) array.SetValue(items[i], i);
        return array;
    }
}
