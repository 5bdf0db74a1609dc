using BuildEngine;

namespace AccoReboot.Secrets;

/// <summary>What SopsEdit opens: the file, the .example it starts from, and the keys it should hold.</summary>
sealed record EditedCredentials(string Path, string Example, IReadOnlyList<CredentialKey> Schema);

/// <summary>Which credentials files a command uses: common always, the environment's when one is given.</summary>
sealed class CredentialsFiles(string root, string commonFile)
{
    public IReadOnlyList<string> For(string? environment) =>
        environment == null ? [commonFile] : [commonFile, CredentialSchema.EnvironmentFile(environment)];

    public IReadOnlyList<string> All =>
        Directory.GetFiles(Path.Combine(root, "credentials"), "*.enc.env")
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();

    public EditedCredentials ToEdit(string? file, string? environment) => (file, environment) switch
    {
        ("common", _) => new(commonFile, CredentialSchema.CommonExample, CredentialSchema.Common),
        ({ } path, _) when path.Replace('\\', '/') == commonFile => new(commonFile, CredentialSchema.CommonExample, CredentialSchema.Common),
        (null, { } env) => new(CredentialSchema.EnvironmentFile(env), CredentialSchema.EnvironmentExample, CredentialSchema.Environment),
        ({ } path, _) when path.EndsWith(".enc.env", StringComparison.Ordinal) => new(UnderCredentials(path), "", []),
        ({ } path, _) => throw new BuildFailure($"--file {path}: expected 'common' or a path ending in .enc.env."),
        _ => throw new BuildFailure("SopsEdit needs --file common, or --env <env> for an environment's credentials."),
    };

    /// <summary>
    /// A credentials file named by the user, as a path relative to the repository that stays under credentials/
    /// (sops would write wherever a permissive rule lets it; credentials live in one place here).
    /// </summary>
    private string UnderCredentials(string path)
    {
        // resolved and checked before anything is decrypted
        var resolved = UserPath.Resolve("--file", path, root);
        var credentials = Path.GetFullPath(Path.Combine(root, "credentials")) + Path.DirectorySeparatorChar;
        if (!resolved.Full.StartsWith(credentials, StringComparison.Ordinal))
            throw resolved.Failure("credentials files live under credentials/ of the repository; give a path there (credentials/<name>.enc.env)");
        return Path.GetRelativePath(root, resolved.Full).Replace('\\', '/');
    }
}
