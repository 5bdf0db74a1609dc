using System.Diagnostics;
using System.Net.Sockets;
using BuildEngine;

namespace AccoReboot.Sandbox;

/// <summary>
/// The sandbox cloud in the background, for `Up --env sandbox` on a fresh machine: started when its emulator does
/// not answer (this same build, `SandboxCloud --env sandbox`, detached with setsid), its pid and log under the
/// sandbox's directory; stopped by `Down --env sandbox`, which leaves the machine as it was. A cloud someone runs
/// in the foreground is used as it is and never stopped from here.
/// </summary>
sealed class SandboxLauncher(string environment, string directory, int apiPort, BuildLog log, CancellationToken cancellationToken)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(10);
    private string PidFile => Path.Combine(directory, "cloud.pid");
    public string LogFile => Path.Combine(directory, "cloud.log");

    public async Task StartAsync()
    {
        if (await AnswersAsync())
        {
            log.Info($"The sandbox cloud answers on 127.0.0.1:{apiPort}.");
            return;
        }
        if (!Environment.IsPrivilegedProcess)
            throw new BuildFailure("The sandbox cloud plays the instance (an SSH server, a deploy user, /opt): run sudo ./build.sh Up --env sandbox.");
        Directory.CreateDirectory(directory);
        var (program, arguments) = Self();
        log.Info($"Starting the sandbox cloud in the background (log {LogFile}; the first start builds its images, a minute or two)…");
        var watch = Stopwatch.StartNew();
        // setsid: its own session, so that neither this build's end nor a Ctrl+C in this terminal stops it
        var start = new ProcessStartInfo("sh", ["-c", "exec setsid \"$@\" >\"$0\" 2>&1 </dev/null & echo $!", LogFile, program, .. arguments, "SandboxCloud", "--env", environment])
        {
            RedirectStandardOutput = true,
        };
        start.Environment["NO_COLOR"] = "1";
        using (var shell = Process.Start(start)!)
        {
            var pid = (await shell.StandardOutput.ReadToEndAsync(cancellationToken)).Trim();
            await shell.WaitForExitAsync(cancellationToken);
            await AtomicWriteAsync(PidFile, pid + "\n");
        }
        while (!await AnswersAsync())
        {
            if (!Running(out _))
                throw new BuildFailure($"The sandbox cloud stopped while starting: {LastLine()} (log {LogFile}).");
            if (watch.Elapsed > StartTimeout)
                throw new BuildFailure($"The sandbox cloud did not answer within {StartTimeout.TotalMinutes:0} minutes (log {LogFile}).");
            await Task.Delay(500, cancellationToken);
        }
        log.Success($"Sandbox cloud started in {watch.Elapsed.TotalSeconds:0.0} s (pid {File.ReadAllText(PidFile).Trim()}; Down --env sandbox stops it).");
    }

    public async Task StopAsync()
    {
        if (!Running(out var process))
        {
            File.Delete(PidFile);
            return;
        }
        using (process)
        {
            log.Info($"Stopping the sandbox cloud (pid {process.Id})…");
            // SIGTERM: it removes the database, the registry, sshd and the instance's files it made
            Process.Start("kill", ["-TERM", process.Id.ToString()])!.WaitForExit();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(90));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new BuildFailure($"The sandbox cloud (pid {process.Id}) did not stop within 90 s: see {LogFile}.");
            }
        }
        File.Delete(PidFile);
        log.Success("Sandbox cloud stopped.");
    }

    private bool Running(out Process process)
    {
        process = null!;
        if (!File.Exists(PidFile) || !int.TryParse(File.ReadAllText(PidFile).Trim(), out var pid)) return false;
        try
        {
            process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private async Task<bool> AnswersAsync()
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", apiPort, cancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(1), cancellationToken);
            return true;
        }
        catch (Exception e) when (e is SocketException or TimeoutException)
        {
            return false;
        }
    }

    private string LastLine() =>
        File.Exists(LogFile) ? File.ReadLines(LogFile).LastOrDefault(l => l.Trim().Length > 0)?.Trim() ?? "(empty log)" : "(no log)";

    /// <summary>This build as a command: the apphost, or dotnet and the build's assembly.</summary>
    private static (string Program, string[] Arguments) Self()
    {
        var process = Environment.ProcessPath ?? "dotnet";
        return Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? (process, [typeof(SandboxLauncher).Assembly.Location])
            : (process, []);
    }

    private static async Task AtomicWriteAsync(string path, string text)
    {
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }
}
