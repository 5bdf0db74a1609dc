namespace Tests.Support;

/// <summary>The sandbox's EMQX and PowerSync stand-ins (build/Sandbox/standins), run with node for their config checks.</summary>
public static class Standins
{
    private static readonly Lazy<string> Directory = new(() =>
    {
        var directory = Repository.Path("build", "Sandbox", "standins");
        if (!File.Exists(Path.Combine(directory, "node_modules", ".package-lock.json")))
        {
            var install = Tool.Run("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], workingDirectory: directory);
            if (install.ExitCode != 0) throw new InvalidOperationException("npm ci in build/Sandbox/standins failed: " + install.All);
        }
        return directory;
    });

    /// <summary>`check FILE` of the EMQX (emqx) or PowerSync (powersync) stand-in: the config as JSON, or one line and exit 1.</summary>
    public static Tool.Result Check(string standin, string file) =>
        Tool.Run("node", [Path.Combine(Directory.Value, standin, "main.mjs"), "check", file]);
}
