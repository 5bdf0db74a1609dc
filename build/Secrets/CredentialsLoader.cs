using BuildEngine;

namespace AccoReboot.Secrets;

/// <summary>
/// Loads and validates the credentials files at once, and registers every decrypted value with the masker.
/// Targets that need only the common file (Build, Push) never touch the environment's.
/// </summary>
sealed class CredentialsLoader(SopsDotenvStore store, SecretMasker masker, string commonFile)
{
    private CommonCredentials? _common;
    private readonly Dictionary<string, EnvironmentCredentials> _environments = new();

    public async Task<CommonCredentials> CommonAsync(CancellationToken cancellationToken = default) =>
        _common ??= CommonCredentials.From(await LoadAsync(commonFile, CredentialSchema.Common, cancellationToken));

    public async Task<EnvironmentCredentials> EnvironmentAsync(string environment, CancellationToken cancellationToken = default)
    {
        if (_environments.TryGetValue(environment, out var loaded)) return loaded;
        var values = await LoadAsync(CredentialSchema.EnvironmentFile(environment), CredentialSchema.Environment, cancellationToken);
        return _environments[environment] = EnvironmentCredentials.From(values);
    }

    /// <summary>Every decrypted value of the given files, for a child process's environment.</summary>
    public async Task<IReadOnlyDictionary<string, string>> AllValuesAsync(IEnumerable<string> files, CancellationToken cancellationToken = default)
    {
        var values = new Dictionary<string, string>();
        foreach (var file in files)
        foreach (var (key, value) in (await store.OpenAsync(file, cancellationToken)).Plaintext.RequireVariableNames(file).ToDictionary())
        {
            if (CredentialSchema.IsSecret(key)) masker.Register(value);
            values[key] = value;
        }
        return values;
    }

    private async Task<IReadOnlyDictionary<string, string>> LoadAsync(string file, IReadOnlyList<CredentialKey> schema, CancellationToken cancellationToken)
    {
        var opened = await store.OpenAsync(file, cancellationToken);
        var values = opened.Plaintext.RequireVariableNames(file).ToDictionary();
        foreach (var (key, value) in values)
            if (CredentialSchema.IsSecret(key)) masker.Register(value);
        var problems = schema
            .Where(k => k.Required && string.IsNullOrWhiteSpace(values.GetValueOrDefault(k.Name)))
            .Select(k => $"{file}: {k.Name} is missing or empty ({k.Description}). Set it with ./build.sh SopsEdit.")
            .ToList();
        if (problems.Count > 0) throw new BuildFailure(string.Join(Environment.NewLine, problems));
        return values;
    }
}
