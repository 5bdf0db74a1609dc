using System.Diagnostics;

namespace Tests.Support;

/// <summary>Runs an external tool (a real validator, CLI or server) and captures what it says.</summary>
public static class Tool
{
    public sealed record Result(int ExitCode, string Out, string Error)
    {
        public string All => Out + Error;
    }

    public static Result Run(string program, IEnumerable<string> arguments, string? workingDirectory = null,
        IDictionary<string, string?>? environment = null, string? input = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory ?? Repository.Root,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        if (environment != null)
            foreach (var (key, value) in environment)
                info.Environment[key] = value;
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (input != null) process.StandardInput.Write(input);
        process.StandardInput.Close();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} did not finish in time");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Where an npm-installed module lives (installed globally by ./build.sh Setup).</summary>
    public static string NpmGlobalRoot { get; } = Run("npm", ["root", "-g"]).Out.Trim();
}
