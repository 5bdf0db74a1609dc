using BuildEngine;

namespace AccoReboot.Secrets;

/// <summary>
/// Loads and validates the credentials files at once, and registers every decrypted value with the masker.
/// Targets that need only the common file (Build, Push) never touch the environment's.
/// </summary>
sealed class CredentialsLoader(SopsDotenvStore store, SecretMasker masker, string commonFile)
{
    // each file is decrypted once, also when several parts of a run ask for it at the same time
    private Task<CommonCredentials>? _common;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task<EnvironmentCredentials>>> _environments = new();
    private readonly Lock _gate = new();

    public Task<CommonCredentials> CommonAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
            return _common ??= Task.Run(async () => CommonCredentials.From(await LoadAsync(commonFile, CredentialSchema.Common, cancellationToken)), cancellationToken);
    }

    public Task<EnvironmentCredentials> EnvironmentAsync(string environment, CancellationToken cancellationToken = default) =>
        _environments.GetOrAdd(environment, name => new Lazy<Task<EnvironmentCredentials>>(() => Task.Run(async () =>
        {
            var file = CredentialSchema.EnvironmentFile(name);
            var values = await LoadAsync(file, CredentialSchema.Environment, cancellationToken);
            if (string.IsNullOrWhiteSpace(values.GetValueOrDefault(DeployKey.PrivateName)) != string.IsNullOrWhiteSpace(values.GetValueOrDefault(DeployKey.PublicName)))
                throw new BuildFailure($"{file}: {DeployKey.PrivateName} and {DeployKey.PublicName} go together (the environment's own deploy key): set both or neither with ./build.sh SopsEdit --env {name}.");
            return EnvironmentCredentials.From(values);
        }, cancellationToken))).Value;

    /// <summary>The key Deploy logs in with: the environment's own, else the common one.</summary>
    public async Task<DeployKey> DeployKeyAsync(string environment, CancellationToken cancellationToken = default) =>
        // the names are in the clear: an environment without a key of its own does not wait for its file's
        // decryption (a no-op Deploy connects while that runs)
        store.NamesIn(CredentialSchema.EnvironmentFile(environment)).Contains(DeployKey.PrivateName)
            ? DeployKey.Of(await CommonAsync(cancellationToken), await EnvironmentAsync(environment, cancellationToken))
            : (await CommonAsync(cancellationToken)).DeployKey;

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
