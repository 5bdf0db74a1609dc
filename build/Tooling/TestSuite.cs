using BuildEngine;

/// <summary>
/// Test: the build's xunit tests, then the node suites (the API's vitest, the sandbox stand-ins' node:test),
/// each installing its npm packages first when they are missing. A filter runs the xunit tests alone.
/// </summary>
sealed class TestSuite(string root, ProcessRunner processes, CancellationToken cancellationToken)
{
    private static readonly (string Directory, string[] Command)[] NodeSuites =
    [
        ("api", ["test"]),
        (Path.Combine("build", "Sandbox", "standins"), ["test"]),
    ];

    public async Task Run(string? filter)
    {
        var failures = new List<string>();
        var arguments = new List<string> { "test", Path.Combine(root, "tests", "Tests.csproj"), "--nologo", "--logger", "console;verbosity=normal" };
        if (filter != null) arguments.AddRange(["--filter", filter]);
        var dotnet = await processes.RunAsync("dotnet", arguments, root, cancellationToken: cancellationToken);
        if (!dotnet.Succeeded) failures.Add($"dotnet test (exit code {dotnet.ExitCode})");

        if (filter == null)
        {
            var npm = OperatingSystem.IsWindows() ? "npm.cmd" : "npm";
            foreach (var (relative, command) in NodeSuites)
            {
                var directory = Path.Combine(root, relative);
                if (!File.Exists(Path.Combine(directory, "node_modules", ".package-lock.json")))
                {
                    var install = await processes.RunAsync(npm, ["ci", "--no-audit", "--no-fund", "--loglevel=error"], directory, cancellationToken: cancellationToken);
                    if (!install.Succeeded) throw new BuildFailure($"npm ci in {relative}/ failed (exit code {install.ExitCode}); see above.");
                }
                var run = await processes.RunAsync(npm, command, directory, cancellationToken: cancellationToken);
                if (!run.Succeeded) failures.Add($"npm {string.Join(' ', command)} in {relative}/ (exit code {run.ExitCode})");
            }
        }
        if (failures.Count > 0) throw new BuildFailure($"Tests failed: {string.Join(", ", failures)}; see the output above.");
    }
}
