using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using BuildEngine;

namespace AccoReboot.Sandbox.Host;

/// <summary>A server the sandbox runs in the background (sshd, the registry): its last output kept for the error message, killed on dispose.</summary>
sealed class ServiceProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly string _name;
    private readonly string? _logFile;

    private ServiceProcess(string name, Process process, string? logFile)
    {
        _name = name;
        _logFile = logFile;
        _process = process;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Starts <paramref name="program"/>; <paramref name="logFile"/> is where it logs, when not to its output.</summary>
    public static ServiceProcess Start(string name, string program, IEnumerable<string> arguments, string? logFile = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>()) info.Environment[key] = value;
        try
        {
            return new ServiceProcess(name, Process.Start(info) ?? throw new BuildFailure($"Cannot start {program}."), logFile);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new BuildFailure($"The sandbox needs {program} ({e.Message}): install it (Debian: sudo ./build.sh Setup).");
        }
    }

    /// <summary>Waits until the server accepts connections on 127.0.0.1:<paramref name="port"/>, or says why it did not.</summary>
    public async Task WaitUntilListeningAsync(int port, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited)
                throw new BuildFailure($"The sandbox's {_name} stopped at once: {LastLine()}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port, ct);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, ct);
            }
            catch (SocketException)
            {
                throw new BuildFailure($"The sandbox's {_name} does not listen on 127.0.0.1:{port} after {timeout.TotalSeconds:0} s: {LastLine()}");
            }
        }
    }

    private void Keep(string? line)
    {
        if (line == null) return;
        lock (_output)
        {
            if (_output.Length > 16_000) _output.Remove(0, 8_000);
            _output.AppendLine(line);
        }
    }

    private string LastLine()
    {
        var text = _logFile != null && File.Exists(_logFile) ? File.ReadAllText(_logFile) : null;
        lock (_output) text ??= _output.ToString();
        return text.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.Length > 0) ?? "no output";
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}
