using BuildEngine;

namespace AccoReboot.Sandbox.Host;

/// <summary>The docker commands of the sandbox, run to completion; the sandbox cannot go on when one fails.</summary>
sealed class SandboxDocker(ProcessRunner processes)
{
    public ProcessResult Try(IEnumerable<string> arguments, string? input = null, IReadOnlyDictionary<string, string?>? environment = null) =>
        processes.RunAsync("docker", arguments, environment: environment, standardInput: input, echoOutput: false).GetAwaiter().GetResult();

    public string Run(IEnumerable<string> arguments, string what, string? input = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var result = Try(arguments, input, environment);
        if (!result.Succeeded)
            throw new BuildFailure($"The sandbox could not {what}: {(result.StandardError + result.StandardOutput).Trim().Split('\n').LastOrDefault()}");
        return result.StandardOutput;
    }

    /// <summary>Removes every container and volume of a compose project, as deleting the instance would.</summary>
    public void RemoveProject(string project)
    {
        var filter = $"label=com.docker.compose.project={project}";
        var containers = Lines(Try(["ps", "-aq", "--filter", filter]).StandardOutput);
        if (containers.Count > 0) Try(["rm", "-f", "-v", .. containers]);
        var volumes = Lines(Try(["volume", "ls", "-q", "--filter", filter]).StandardOutput);
        if (volumes.Count > 0) Try(["volume", "rm", "-f", .. volumes]);
    }

    private static List<string> Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}
