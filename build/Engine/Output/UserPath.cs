namespace BuildEngine;

/// <summary>A path a user gave on the command line, resolved and checked before any work, in one-line errors.</summary>
public sealed record UserPath(string Option, string Given, string Full)
{
    /// <summary>The path as the user wrote it, shortened for a one-line message.</summary>
    public string Shown => Given.Length > 60 ? Given[..60] + "…" : Given;

    /// <summary>
    /// Resolves <paramref name="given"/> against <paramref name="baseDirectory"/> (the current directory when null) and
    /// refuses what no file system takes: NAME_MAX 255 bytes, PATH_MAX 4096 on Linux.
    /// </summary>
    public static UserPath Resolve(string option, string given, string? baseDirectory = null)
    {
        var path = new UserPath(option, given, "");
        string full;
        try
        {
            full = baseDirectory == null ? Path.GetFullPath(given) : Path.GetFullPath(Path.Combine(baseDirectory, given));
        }
        catch (Exception e) when (e is ArgumentException or PathTooLongException or NotSupportedException)
        {
            throw path.Failure($"not a usable path ({e.Message.TrimEnd('.')})");
        }
        if (full.Length >= 4096 || full.Split(Path.DirectorySeparatorChar).Any(part => System.Text.Encoding.UTF8.GetByteCount(part) > 255))
            throw path.Failure("not a usable path (a name longer than 255 bytes or a path longer than 4096)");
        return path with { Full = full };
    }

    public BuildFailure Failure(string what) => new($"{Option} {Shown}: {what}.");
}
