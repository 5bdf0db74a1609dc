using System.Text;
using CliWrap;

namespace BuildEngine;

/// <summary>The outcome of a child process: its exit code and what it wrote (unmasked, for the caller's own use).</summary>
public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;
}

/// <summary>
/// Runs child processes with their output passed through the build log, and so through the secret masker.
/// Arguments are a list, never a shell string: nothing is quoted twice and no secret needs to be in them.
/// </summary>
public sealed class ProcessRunner(BuildLog log)
{
    public async Task<ProcessResult> RunAsync(
        string program,
        IEnumerable<string> arguments,
        string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? standardInput = null,
        bool echoOutput = true,
        Stream? standardInputStream = null,
        CancellationToken cancellationToken = default)
    {
        var args = arguments.ToList();
        log.Debug($"> {program} {string.Join(" ", args)}");
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var command = Cli.Wrap(program)
            .WithArguments(args)
            .WithValidation(CommandResultValidation.None)
            .WithStandardOutputPipe(PipeTarget.ToDelegate(line =>
            {
                lock (stdout) stdout.AppendLine(line);
                if (echoOutput) log.Raw(line);
            }))
            .WithStandardErrorPipe(PipeTarget.ToDelegate(line =>
            {
                lock (stderr) stderr.AppendLine(line);
                if (echoOutput) log.Raw(line);
            }));
        if (workingDirectory != null) command = command.WithWorkingDirectory(workingDirectory);
        if (environment != null) command = command.WithEnvironmentVariables(environment);
        if (standardInput != null) command = command.WithStandardInputPipe(PipeSource.FromString(standardInput));
        else if (standardInputStream != null) command = command.WithStandardInputPipe(PipeSource.FromStream(standardInputStream));
        try
        {
            var result = await command.ExecuteAsync(cancellationToken);
            return new ProcessResult(result.ExitCode, stdout.ToString(), stderr.ToString());
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new BuildFailure($"Cannot start '{program}': {e.Message}. Is it installed and on PATH?");
        }
    }
}
