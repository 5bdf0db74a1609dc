namespace BuildEngine;

/// <summary>The profiles of a repository: one per .nuke/parameters.&lt;name&gt;.json file.</summary>
public static class Profiles
{
    public static IReadOnlyList<string> Available(string rootDirectory)
    {
        var directory = Path.Combine(rootDirectory, ".nuke");
        return Directory.Exists(directory)
            ? Directory.GetFiles(directory, "parameters.*.json")
                .Select(f => Path.GetFileName(f)["parameters.".Length..^".json".Length])
                .Order(StringComparer.Ordinal)
                .ToList()
            : [];
    }
}
