using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BuildEngine;

namespace AccoReboot.Sandbox;

/// <summary>
/// Runs the sandbox's cloud, which is a program of its own (build/Sandbox/Sandbox.csproj: the emulator with ASP.NET
/// Core, JSON Schema validation and the API specs), so that the build the environments run with carries none of it.
/// The program is compiled on first use, and again when the build's sources change (like build.sh does for the
/// build); a build compiled beside it (the tests' output) uses that one. Ctrl+C or SIGTERM are passed on, so it
/// removes what it made.
/// </summary>
sealed class SandboxProgram(string root, BuildLog log, CancellationToken cancellationToken)
{
    private string Output => Path.Combine(root, ".nuke", "temp", "sandbox");
    private string Stamp => Path.Combine(Output, ".inputs.sha256");

    public async Task RunAsync(SandboxRequest request)
    {
        var program = await EnsureBuiltAsync();
        Directory.CreateDirectory(Output);
        var requestFile = Path.Combine(Output, $"request-{Environment.ProcessId}.json");
        await File.WriteAllTextAsync(requestFile + ".tmp", JsonSerializer.Serialize(request, JsonTypes.Plain), cancellationToken);
        File.Move(requestFile + ".tmp", requestFile, overwrite: true);
        try
        {
            using var process = Process.Start(new ProcessStartInfo(Dotnet, [program, requestFile]) { UseShellExecute = false })
                                ?? throw new BuildFailure("Could not start the sandbox program.");
            try
            {
                await process.WaitForExitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // what SIGTERM or Ctrl+C asked of this build, asked of the cloud: it cleans up and exits
                using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString()])) kill?.WaitForExit();
                await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(90), CancellationToken.None);
                throw;
            }
            if (process.ExitCode != 0) throw new BuildFailure($"The sandbox cloud stopped with exit code {process.ExitCode} (its reason is above).");
        }
        finally
        {
            File.Delete(requestFile);
        }
    }

    private static string Dotnet =>
        Environment.GetEnvironmentVariable("DOTNET_EXE") is { Length: > 0 } exe ? exe
        : Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";

    private async Task<string> EnsureBuiltAsync()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "sandbox.dll");
        if (File.Exists(beside)) return beside;
        var program = Path.Combine(Output, "sandbox.dll");
        var hash = InputsHash();
        if (File.Exists(program) && File.Exists(Stamp) && (await File.ReadAllTextAsync(Stamp, cancellationToken)).Trim() == hash) return program;
        log.Info("Compiling the sandbox cloud (its sources changed; a minute the first time)…");
        var project = Path.Combine(root, "build", "Sandbox", "Sandbox.csproj");
        var start = new ProcessStartInfo(Dotnet, ["build", project, "-c", "Release", "-o", Output, "-nologo", "-v", "quiet", "-p:NuGetAudit=false", "/nodeReuse:false"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var build = Process.Start(start) ?? throw new BuildFailure("Could not start dotnet to compile the sandbox.");
        var output = build.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = build.StandardError.ReadToEndAsync(cancellationToken);
        await build.WaitForExitAsync(cancellationToken);
        if (build.ExitCode != 0)
        {
            var lines = ((await output) + (await errors)).Split('\n').Where(l => l.Contains("error", StringComparison.Ordinal)).Distinct().Take(5);
            throw new BuildFailure($"The sandbox program does not compile ({project}): {string.Join(" | ", lines.Select(l => l.Trim()))}");
        }
        await File.WriteAllTextAsync(Stamp, hash + "\n", cancellationToken);
        return program;
    }

    /// <summary>The build's sources: the sandbox is compiled against the build, so a change to either changes it.</summary>
    private string InputsHash()
    {
        var build = Path.Combine(root, "build");
        var files = Directory.EnumerateFiles(build, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".csproj", StringComparison.Ordinal) || f.EndsWith(".props", StringComparison.Ordinal))
            .Where(f => !Path.GetRelativePath(build, f).Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj" or "node_modules"))
            .Concat(new[] { "global.json", "Directory.Build.props", "Directory.Packages.props" }.Select(f => Path.Combine(root, f)).Where(File.Exists))
            .Order(StringComparer.Ordinal);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in files)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(Path.GetRelativePath(root, file) + "\n"));
            sha.AppendData(File.ReadAllBytes(file));
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
