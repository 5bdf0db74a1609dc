using BuildEngine;

namespace AccoReboot.Deploy;

/// <summary>
/// The Render target: the files a deploy would upload, written to a directory for review. It needs no
/// credentials and no cloud: secrets are ****, and what only the state or the host knows (database endpoint and
/// CA, the deploy user's ids) is a visible placeholder.
/// </summary>
sealed class ReleasePreview(DeploymentInputs inputs, BuildLog log)
{
    private const string Hidden = SecretMasker.Placeholder;
    private const string CaPlaceholder = "-----BEGIN CERTIFICATE-----\n(the CA of the managed PostgreSQL, from the OVH API at deploy)\n-----END CERTIFICATE-----\n";
    public static readonly HostIdentity PlaceholderIdentity = new(1000, 1000);

    /// <summary>An --output that cannot be a directory is one line before any work.</summary>
    private static void CheckOutput(string output)
    {
        var path = UserPath.Resolve("--output", output);
        for (var at = path.Full; !string.IsNullOrEmpty(at); at = Path.GetDirectoryName(at))
        {
            if (Directory.Exists(at)) return;
            if (File.Exists(at))
                throw path.Failure($"{(at == path.Full ? "it" : Path.IsPathRooted(output) ? at : Path.GetRelativePath(Directory.GetCurrentDirectory(), at))} is a file, not a directory; give a directory");
        }
    }

    public async Task WriteAsync(string? output)
    {
        if (string.IsNullOrWhiteSpace(output)) throw new BuildFailure("Render needs --output <directory> to write the release to.");
        CheckOutput(output);
        var stack = inputs.Stack with { Images = inputs.Stack.Images with { Api = await inputs.ApiImage() } };
        var database = new DatabaseConnection("<database host from the state>", 5432, inputs.DatabaseUser, Hidden, inputs.AppDatabase, inputs.StorageDatabase,
            stack.DatabaseTls ? CaPlaceholder : null);
        var release = new ReleaseRenderer(inputs.Templates).Render(stack, database, new StackSecrets(Hidden, Hidden, Hidden, Hidden, Hidden), PlaceholderIdentity);
        try
        {
            Directory.CreateDirectory(output);
            foreach (var file in release.Files)
                // the URLs carry the password escaped: **** reads better than %2A%2A%2A%2A
                AtomicFile.WriteAllText(Path.Combine(output, file.Path), file.Content.Replace(Uri.EscapeDataString(Hidden), Hidden), (UnixFileMode)file.Mode);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new BuildFailure($"--output {output}: cannot write the release there ({e.Message.Split('\n')[0].TrimEnd('.')}); give a directory you can write to.");
        }
        log.Success($"Rendered {release.Files.Count} files of {inputs.Environment} to {output} (secrets as {Hidden}; database endpoint and uid/gid {PlaceholderIdentity.Uid}:{PlaceholderIdentity.Gid} are placeholders).");
    }
}
