using AccoReboot.Secrets.Age;
using BuildEngine;

namespace AccoReboot.Secrets;

/// <summary>
/// Finds age identities where sops looks, and takes all of them (sops uses the union, not the first hit):
/// SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, SOPS_AGE_KEY_CMD, then &lt;user config dir&gt;/sops/age/keys.txt.
/// Keys of kinds we cannot use (post-quantum, plugins) are counted so the error can say so.
/// </summary>
sealed class AgeIdentitySources(IProcessEnvironment environment, ProcessRunner processes, IReadOnlyList<string>? extraKeyFiles = null)
{
    public const string UserKeysFileDescription = "~/.config/sops/age/keys.txt (macOS: ~/Library/Application Support/sops/age/keys.txt, Windows: %AppData%\\sops\\age\\keys.txt)";

    public List<string> Unsupported { get; } = [];

    public async Task<IReadOnlyList<AgeIdentity>> LoadAsync(CancellationToken cancellationToken = default)
    {
        var identities = new List<AgeIdentity>();
        if (environment.GetVariable("SOPS_AGE_KEY") is { Length: > 0 } inline)
            identities.AddRange(Parse(inline, "SOPS_AGE_KEY"));
        if (environment.GetVariable("SOPS_AGE_KEY_FILE") is { Length: > 0 } file)
        {
            if (!File.Exists(file)) throw new BuildFailure($"SOPS_AGE_KEY_FILE points to {file}, which does not exist.");
            identities.AddRange(Parse(await File.ReadAllTextAsync(file, cancellationToken), file));
        }
        if (environment.GetVariable("SOPS_AGE_KEY_CMD") is { Length: > 0 } command)
        {
            var (shell, flag) = OperatingSystem.IsWindows() ? ("cmd.exe", "/c") : ("/bin/sh", "-c");
            var result = await processes.RunAsync(shell, [flag, command], echoOutput: false, cancellationToken: cancellationToken);
            if (!result.Succeeded)
                throw new BuildFailure($"SOPS_AGE_KEY_CMD exited with code {result.ExitCode}: {result.StandardError.Trim().Split('\n')[0]}");
            identities.AddRange(Parse(result.StandardOutput, "SOPS_AGE_KEY_CMD"));
        }
        if (UserKeysFile() is { } keys && File.Exists(keys))
            identities.AddRange(Parse(await File.ReadAllTextAsync(keys, cancellationToken), keys));
        foreach (var extra in (extraKeyFiles ?? []).Where(File.Exists))
            identities.AddRange(Parse(await File.ReadAllTextAsync(extra, cancellationToken), extra));
        return identities.DistinctBy(i => i.Recipient.ToString()).ToList();
    }

    /// <summary>The keys.txt file in the user configuration directory, as Go's os.UserConfigDir gives it.</summary>
    public string? UserKeysFile()
    {
        string? configDirectory;
        if (OperatingSystem.IsWindows())
            configDirectory = environment.GetVariable("AppData");
        else if (environment.GetVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg)
            configDirectory = xdg;
        else if (environment.GetVariable("HOME") is { Length: > 0 } home)
            configDirectory = OperatingSystem.IsMacOS() ? Path.Combine(home, "Library", "Application Support") : Path.Combine(home, ".config");
        else
            configDirectory = null;
        return configDirectory == null ? null : Path.Combine(configDirectory, "sops", "age", "keys.txt");
    }

    private IEnumerable<AgeIdentity> Parse(string text, string source)
    {
        var words = text.Replace("\r\n", "\n").Split('\n')
            .Where(l => !l.TrimStart().StartsWith('#'))
            .SelectMany(l => l.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries));
        foreach (var line in words)
        {
            if (AgeIdentity.TryParse(line, out var identity))
                yield return identity!;
            else if (line.StartsWith("AGE-SECRET-KEY-PQ-", StringComparison.Ordinal))
                Unsupported.Add($"a post-quantum identity in {source}");
            else if (line.StartsWith("AGE-PLUGIN-", StringComparison.Ordinal))
                Unsupported.Add($"a plugin identity in {source}");
            else if (line.StartsWith("-----BEGIN AGE ENCRYPTED FILE", StringComparison.Ordinal))
                throw new BuildFailure($"{source} is a passphrase-encrypted keys file, which this build cannot open; export the identities unencrypted in SOPS_AGE_KEY_CMD instead (e.g. age -d keys.age).");
            else if (line.StartsWith("AGE-SECRET-KEY-", StringComparison.Ordinal))
                throw new BuildFailure($"{source} holds a malformed age identity (bad Bech32 checksum?).");
        }
    }
}
