using System.Diagnostics;
using BuildEngine;

namespace AccoReboot.Secrets;

/// <summary>
/// Opens a file in the user's editor ($VISUAL, then $EDITOR, then a default per OS) attached to the terminal,
/// the way git does: sh -c '&lt;editor&gt; "$@"' so the variable may carry arguments (code --wait).
/// </summary>
sealed class TextEditor(IProcessEnvironment environment)
{
    public string Command =>
        environment.GetVariable("VISUAL") is { Length: > 0 } visual ? visual
        : environment.GetVariable("EDITOR") is { Length: > 0 } editor ? editor
        : OperatingSystem.IsWindows() ? "notepad"
        : new[] { "editor", "vim", "nano", "vi" }.FirstOrDefault(OnPath) ?? "vi";

    public async Task EditAsync(string path, CancellationToken cancellationToken)
    {
        var command = Command;
        var info = OperatingSystem.IsWindows()
            ? new ProcessStartInfo("cmd.exe") { ArgumentList = { "/c", command, path } }
            : new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", command + " \"$@\"", command, path } };
        info.UseShellExecute = false; // inherit the terminal
        foreach (var (key, value) in environment.Variables) info.Environment[key] = value;
        using var process = Process.Start(info) ?? throw new BuildFailure($"Cannot start the editor '{command}'.");
        // Ctrl+C reaches the editor too (same terminal), and editors use it (vim: leave insert mode), so the
        // editor decides when it ends; then an interrupted edit is dropped.
        await process.WaitForExitAsync(CancellationToken.None);
        cancellationToken.ThrowIfCancellationRequested();
        if (process.ExitCode != 0)
            throw new BuildFailure($"The editor '{command}' exited with code {process.ExitCode}; nothing was saved.");
    }

    private bool OnPath(string program) =>
        (environment.GetVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => d.Length > 0 && File.Exists(Path.Combine(d, program)));
}
