using BuildEngine;

namespace AccoReboot.Sandbox;

/// <summary>
/// Builds the sandbox's stand-in images (build/Sandbox/images) when they are missing, from the local Debian
/// images: EMQX and PowerSync cannot be pulled on these machines.
/// </summary>
sealed class SandboxImages(string root, ProcessRunner processes, BuildLog log)
{
    public static readonly IReadOnlyDictionary<string, string> Images = new Dictionary<string, string>
    {
        ["local/emqx-standin:trixie"] = "emqx-standin",
        ["local/powersync-standin:trixie"] = "powersync-standin",
        ["local/caddy-sandbox:trixie"] = "caddy",
    };

    public async Task EnsureAsync(CancellationToken ct)
    {
        foreach (var (image, directory) in Images)
        {
            if ((await processes.RunAsync("docker", ["image", "inspect", image], echoOutput: false, cancellationToken: ct)).Succeeded) continue;
            log.Info($"Building the sandbox image {image}…");
            var result = await processes.RunAsync("docker", ["build", "--pull=false", "-q", "-t", image, Path.Combine(root, "build", "Sandbox", "images", directory)],
                echoOutput: false, cancellationToken: ct);
            if (!result.Succeeded)
                throw new BuildFailure($"Could not build the sandbox image {image}: {result.StandardError.Trim().Split('\n').LastOrDefault()}. Are the local base images built (.ci/build-local-images.sh)?");
        }
    }
}
