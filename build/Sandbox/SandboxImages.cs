using System.Security.Cryptography;
using System.Text;
using BuildEngine;

namespace AccoReboot.Sandbox;

/// <summary>
/// Builds the sandbox's stand-in images from the local Debian images when they are missing or their sources
/// changed (a label holds the hash of the sources): EMQX and PowerSync cannot be pulled on these machines. The
/// stand-ins' npm packages are installed on this machine first (npm ci), where the machine's own CA trust applies,
/// and copied into the images.
/// </summary>
sealed class SandboxImages(string root, ProcessRunner processes, BuildLog log)
{
    private const string HashLabel = "accoreboot.source-hash";

    /// <summary>Image → (context, Dockerfile), relative to build/Sandbox.</summary>
    public static readonly IReadOnlyDictionary<string, (string Context, string Dockerfile)> Images = new Dictionary<string, (string, string)>
    {
        ["local/emqx-standin:trixie"] = ("standins", "standins/images/emqx.Dockerfile"),
        ["local/powersync-standin:trixie"] = ("standins", "standins/images/powersync.Dockerfile"),
        ["local/caddy-sandbox:trixie"] = ("images/caddy", "images/caddy/Dockerfile"),
    };

    private string Sandbox => Path.Combine(root, "build", "Sandbox");

    public async Task EnsureAsync(CancellationToken ct)
    {
        await InstallStandinPackagesAsync(ct);
        foreach (var (image, (context, dockerfile)) in Images)
        {
            var hash = SourceHash(Path.Combine(Sandbox, context), Path.Combine(Sandbox, dockerfile));
            var inspect = await processes.RunAsync("docker", ["image", "inspect", "-f", $"{{{{index .Config.Labels \"{HashLabel}\"}}}}", image], echoOutput: false, cancellationToken: ct);
            if (inspect.Succeeded && inspect.StandardOutput.Trim() == hash) continue;
            log.Info($"Building the sandbox image {image}…");
            var result = await processes.RunAsync("docker", ["build", "--pull=false", "-q", "--label", $"{HashLabel}={hash}", "-t", image,
                    "-f", Path.Combine(Sandbox, dockerfile), Path.Combine(Sandbox, context)],
                echoOutput: false, cancellationToken: ct);
            if (!result.Succeeded)
                throw new BuildFailure($"Could not build the sandbox image {image}: {result.StandardError.Trim().Split('\n').LastOrDefault()}. Are the local base images built (./build.sh Setup)?");
        }
    }

    /// <summary>npm ci in build/Sandbox/standins when its lock file is newer than what is installed.</summary>
    private async Task InstallStandinPackagesAsync(CancellationToken ct)
    {
        var standins = Path.Combine(Sandbox, "standins");
        var installed = Path.Combine(standins, "node_modules", ".package-lock.json");
        if (File.Exists(installed) && File.GetLastWriteTimeUtc(installed) >= File.GetLastWriteTimeUtc(Path.Combine(standins, "package-lock.json"))) return;
        log.Info("Installing the stand-ins' npm packages (npm ci in build/Sandbox/standins)…");
        ProcessResult result;
        try
        {
            result = await processes.RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], workingDirectory: standins, echoOutput: false, cancellationToken: ct);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new BuildFailure("npm is not installed: the sandbox's stand-ins need Node.js 20 and npm (./build.sh Setup, or apt-get install nodejs npm).");
        }
        if (!result.Succeeded)
            throw new BuildFailure($"npm ci in build/Sandbox/standins failed: {result.StandardError.Trim().Split('\n').LastOrDefault()}");
    }

    /// <summary>A hash of the files an image is built from (the context without node_modules and tests, and its Dockerfile).</summary>
    public static string SourceHash(string context, string dockerfile)
    {
        var files = Directory.EnumerateFiles(context, "*", SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(context, file).Replace('\\', '/'))
            .Where(file => !file.StartsWith("node_modules/") && !file.StartsWith("test/") && !file.StartsWith("images/"))
            .Order(StringComparer.Ordinal);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in files)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(file + "\n"));
            hash.AppendData(File.ReadAllBytes(Path.Combine(context, file)));
        }
        hash.AppendData(File.ReadAllBytes(dockerfile));
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }
}
