using AccoReboot.Secrets.Age;
using AccoReboot.Secrets.Sops;
using BuildEngine;

namespace AccoReboot.Secrets;

/// <summary>A decrypted SOPS dotenv file: its plaintext, its data key and the file it came from.</summary>
sealed record OpenedSopsFile(string RelativePath, DotenvDocument Plaintext, byte[] DataKey, SopsDotenvFile File);

/// <summary>Reads and writes SOPS dotenv files under the repository root; writes go to a temp file, then rename.</summary>
sealed class SopsDotenvStore(string root, AgeIdentitySources identitySources, TimeProvider clock)
{
    private Task<IReadOnlyList<AgeIdentity>>? _identities;

    public string FullPath(string relativePath) => Path.Combine(root, relativePath);

    public bool Exists(string relativePath) => File.Exists(FullPath(relativePath));

    /// <summary>The names a credentials file holds, read without decrypting anything (SOPS leaves the keys in the clear); none when it is missing.</summary>
    public IReadOnlyList<string> NamesIn(string relativePath)
    {
        var path = FullPath(relativePath);
        if (!File.Exists(path)) return [];
        return SopsDotenvFile.Parse(File.ReadAllText(path), relativePath).Items.Where(i => i.Key != null).Select(i => i.Key!).ToList();
    }

    public async Task<OpenedSopsFile> OpenAsync(string relativePath, CancellationToken cancellationToken = default)
    {
        var path = FullPath(relativePath);
        if (!File.Exists(path))
            throw new BuildFailure($"{relativePath} does not exist: create it with ./build.sh SopsEdit (it starts from the .example).");
        var text = await File.ReadAllTextAsync(path, cancellationToken);
        if (!SopsDotenvFile.LooksEncrypted(text))
            throw new BuildFailure($"{relativePath} is not SOPS-encrypted (no sops_mac line); never commit plaintext credentials: move it away and recreate it with SopsEdit.");
        var file = SopsDotenvFile.Parse(text, relativePath);
        var identities = await IdentitiesAsync(cancellationToken);
        byte[] dataKey;
        try
        {
            dataKey = SopsDataKey.Unwrap(file.Metadata, identities, relativePath);
        }
        catch (BuildFailure) when (identities.Count == 0 && identitySources.Unsupported.Count > 0)
        {
            throw new BuildFailure($"{relativePath}: found only {string.Join(", ", identitySources.Unsupported)}; this build supports age X25519 identities (AGE-SECRET-KEY-1…).");
        }
        return new OpenedSopsFile(relativePath, SopsCodec.Decrypt(file, dataKey, relativePath), dataKey, file);
    }

    public void Write(string relativePath, DotenvDocument plaintext, byte[] dataKey, SopsMetadata metadata)
    {
        var encrypted = SopsCodec.Encrypt(plaintext, dataKey, metadata, clock.GetUtcNow());
        AtomicFile.WriteAllText(FullPath(relativePath), encrypted.Render());
    }

    public Task<IReadOnlyList<AgeIdentity>> IdentitiesAsync(CancellationToken cancellationToken = default)
    {
        // looked for once, also when two files are opened at the same time
        lock (_identitiesGate) return _identities ??= identitySources.LoadAsync(cancellationToken);
    }

    private readonly Lock _identitiesGate = new();
}
