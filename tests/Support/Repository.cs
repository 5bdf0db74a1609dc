namespace Tests.Support;

/// <summary>The repository the tests run from.</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory != null; directory = directory.Parent)
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "build.sh")) && Directory.Exists(System.IO.Path.Combine(directory.FullName, ".nuke")))
                return directory.FullName;
        throw new InvalidOperationException("The tests must run from inside the repository.");
    }
}
