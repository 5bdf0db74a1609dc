using AccoReboot.Secrets;
using AccoReboot.Secrets.Age;
using AccoReboot.Secrets.Sops;

namespace Tests.Support;

/// <summary>
/// A scratch repository for the secrets targets: .nuke profiles, .sops.yaml for the given team, the repository's
/// .example files, and credentials files written by our own SOPS writer.
/// </summary>
internal static class CredentialsRepository
{
    public static Action<TempDirectory> With(IEnumerable<AgeIdentity> team, params (string file, Dictionary<string, string> values)[] files) => root =>
    {
        root.File(".nuke/parameters.json", "{}");
        root.File(".nuke/parameters.test.json", "{}");
        root.File(".sops.yaml", $"creation_rules:\n  - path_regex: credentials/.*\\.enc\\.env$\n    age: {string.Join(",", team.Select(t => t.Recipient))}\n");
        foreach (var example in new[] { CredentialSchema.CommonExample, CredentialSchema.EnvironmentExample })
            root.File(example, File.ReadAllText(Repository.Path(example)));
        foreach (var (file, values) in files)
            Write(root, file, values, team.Select(t => t.Recipient));
    };

    public static void Write(TempDirectory root, string file, Dictionary<string, string> values, IEnumerable<AgeRecipient> recipients)
    {
        var key = SopsDataKey.New();
        var document = new DotenvDocument(values.Select(v => DotenvItem.Entry(v.Key, v.Value)).ToList());
        var text = SopsCodec.Encrypt(document, key, new SopsMetadata { AgeKeys = SopsDataKey.Wrap(key, recipients) }, DateTimeOffset.UtcNow).Render();
        root.File(file, text);
    }

    public static DotenvDocument Read(string root, string file, AgeIdentity identity)
    {
        var parsed = SopsDotenvFile.Parse(File.ReadAllText(Path.Combine(root, file)), file);
        return SopsCodec.Decrypt(parsed, SopsDataKey.Unwrap(parsed.Metadata, [identity], file), file);
    }

    public static Dictionary<string, string> Complete(IReadOnlyList<CredentialKey> schema, string prefix) =>
        schema.Where(k => k.Required).ToDictionary(k => k.Name, k => $"{prefix}-{k.Name.ToLowerInvariant()}-0123456789");

    public static Dictionary<string, string> Key(AgeIdentity identity) => new() { ["SOPS_AGE_KEY"] = identity.Export() };
}
