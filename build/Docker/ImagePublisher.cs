using AccoReboot.Secrets;
using BuildEngine;

namespace AccoReboot.Docker;

/// <summary>What to build: the registry, repository, base image and build arguments, from the parameters.</summary>
sealed record ImageSettings(string Registry, string Repository, string? BaseImage, IReadOnlyList<string> BuildArguments, string? ExtraCaFile);

/// <summary>
/// Build and Push: the API image tagged with the commit (plus latest, for people), and pushed unless the registry
/// already holds exactly that image under that tag. Deploys use the commit tag, never latest.
/// </summary>
sealed class ImagePublisher(ImageSettings settings, string root, DockerCli docker, ProcessRunner processes, IProcessEnvironment environment,
    Func<Task<CommonCredentials>> credentials, Func<string, string, RegistryClient> registry, BuildLog log, CancellationToken cancellationToken)
{
    private const string SourceDirectory = "api";

    public async Task<ImageReference> ImageAsync()
    {
        var revision = await GitRevision.ReadAsync(processes, root, SourceDirectory, cancellationToken);
        return new ImageReference(settings.Registry, settings.Repository, revision.Tag);
    }

    public async Task BuildAsync()
    {
        await docker.CheckAsync(cancellationToken);
        log.Phase("Build: Docker answered");
        var revision = await GitRevision.ReadAsync(processes, root, SourceDirectory, cancellationToken);
        log.Phase("Build: git revision read");
        var image = new ImageReference(settings.Registry, settings.Repository, revision.Tag);
        if (revision.Dirty)
            log.Warn($"{SourceDirectory}/ has changes that are not committed: the image is tagged {revision.Tag}. Commit them for an image a deploy can be traced to.");
        else if (await RegisteredAsync(image, revision.Sha))
            return;
        var arguments = new Dictionary<string, string>();
        if (settings.BaseImage != null) arguments["BASE_IMAGE"] = settings.BaseImage;
        foreach (var argument in settings.BuildArguments)
        {
            var parts = argument.Split('=', 2);
            if (parts.Length != 2 || parts[0].Length == 0) throw new BuildFailure($"--build-arguments: '{argument}' is not NAME=value.");
            arguments[parts[0]] = parts[1];
        }
        // the build stage trusts what this machine trusts; the final stage never sees the certificates
        if (HostCertificates.Collect(environment, settings.ExtraCaFile) is { } certificates) arguments["EXTRA_CA_CERTS"] = certificates;
        await docker.BuildAsync(Path.Combine(root, SourceDirectory), [image.ToString(), image.WithTag("latest").ToString()], arguments,
            new Dictionary<string, string> { ["org.opencontainers.image.revision"] = revision.Sha, ["org.opencontainers.image.title"] = settings.Repository },
            cancellationToken);
        log.Success($"Built {image} ({await docker.ImageIdAsync(image.ToString(), cancellationToken)}).");
    }

    public async Task PushAsync()
    {
        await docker.CheckAsync(cancellationToken);
        log.Phase("Push: Docker answered");
        var image = await ImageAsync();
        log.Phase("Push: git revision read");
        var local = await docker.ImageIdAsync(image.ToString(), cancellationToken)
                    ?? throw new BuildFailure($"There is no local image {image}: run ./build.sh Build first (Push depends on it).");
        log.Phase("Push: local image inspected");
        var common = await credentials();
        var remote = await registry(common.RegistryUsername, common.RegistryPassword).FindAsync(image, cancellationToken);
        log.Phase("Push: credentials decrypted, registry asked for the tag");
        if (remote?.ConfigDigest == local)
        {
            log.Success($"{image} is already in the registry (same image {Short(local)}): nothing to push.");
            return;
        }
        if (remote != null && !image.Tag.EndsWith("-dirty", StringComparison.Ordinal))
            throw new BuildFailure($"The registry already has {image} as another image (registry {Short(remote.ConfigDigest)}, local {Short(local)}): a commit tag names one image only. Rebuild from a clean checkout of that commit, or delete the tag in the registry.");
        await docker.PushAsync(image, [image.ToString(), image.WithTag("latest").ToString()], common.RegistryUsername, common.RegistryPassword, cancellationToken);
        var pushed = await registry(common.RegistryUsername, common.RegistryPassword).FindAsync(image, cancellationToken);
        log.Success($"Pushed {image} ({pushed?.ManifestDigest}).");
    }

    /// <summary>
    /// A clean commit's image is built once: when the registry holds its tag, that image is the one to deploy, from
    /// any checkout (builds are not byte-for-byte reproducible, so a rebuild would be another image under the same
    /// tag). It is pulled when this machine lacks it, for deploys that use the local image (the sandbox).
    /// </summary>
    private async Task<bool> RegisteredAsync(ImageReference image, string sha)
    {
        var common = await credentials();
        var remote = await registry(common.RegistryUsername, common.RegistryPassword).FindAsync(image, cancellationToken);
        log.Phase("Build: credentials decrypted, registry asked for the tag");
        if (remote == null) return false;
        if (await docker.ImageIdAsync(image.ToString(), cancellationToken) != remote.ConfigDigest)
            await docker.PullAsync(image, common.RegistryUsername, common.RegistryPassword, cancellationToken);
        // the tag must hold this commit's build: the revision label says which commit an image was built from
        var revision = await docker.LabelAsync(image.ToString(), "org.opencontainers.image.revision", cancellationToken);
        log.Phase("Build: local image and its revision label read");
        if (revision != sha)
            throw new BuildFailure($"The registry already has {image} as another image (built from {(string.IsNullOrEmpty(revision) ? "no known commit" : revision)}): a commit tag names one image only. Delete the tag in the registry, then build again.");
        log.Success($"{image} is already in the registry ({Short(remote.ConfigDigest)}): this commit is not built again.");
        return true;
    }

    private static string Short(string? digest) => digest == null ? "?" : digest.Length > 19 ? digest[..19] : digest;
}
