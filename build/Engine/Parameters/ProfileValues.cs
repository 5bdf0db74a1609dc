using System.Text.Json;

namespace BuildEngine;

/// <summary>
/// The raw values of one profile (.nuke/parameters.json overlaid with .nuke/parameters.&lt;profile&gt;.json), for a
/// target that looks at every profile at once rather than the one the run was started with.
/// </summary>
public sealed class ProfileValues
{
    private readonly ParameterFile _defaults;
    private readonly ParameterFile _profile;

    private ProfileValues(ParameterFile defaults, ParameterFile profile)
    {
        _defaults = defaults;
        _profile = profile;
    }

    public static ProfileValues Read(string rootDirectory, string profile)
    {
        ParameterFile Load(string name)
        {
            var path = Path.Combine(rootDirectory, ".nuke", name);
            return File.Exists(path) ? ParameterFile.Load(path, Path.Combine(".nuke", name)) : ParameterFile.Empty(name);
        }
        return new ProfileValues(Load("parameters.json"), Load($"parameters.{profile}.json"));
    }

    public string? Text(string name)
    {
        var key = NameStyle.Normalize(name);
        foreach (var file in new[] { _profile, _defaults })
            if (file.TryGet(key, out var value) && value.ValueKind == JsonValueKind.String)
                return value.GetString();
        return null;
    }

    public int? Number(string name)
    {
        var key = NameStyle.Normalize(name);
        foreach (var file in new[] { _profile, _defaults })
            if (file.TryGet(key, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number))
                return number;
        return null;
    }
}
