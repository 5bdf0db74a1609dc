using BuildEngine;

/// <summary>Runs the repository's test suites (the build's xunit tests, then the API's vitest tests) and fails when one fails.</summary>
sealed class TestSuite(string root, ProcessRunner processes, CancellationToken cancellationToken)
{
    public async Task Run(string? filter)
    {
        var failures = new List<string>();
        var arguments = new List<string> { "test", Path.Combine(root, "tests", "Tests.csproj"), "--nologo", "--logger", "console;verbosity=normal" };
        if (filter != null) arguments.AddRange(["--filter", filter]);
        var dotnet = await processes.RunAsync("dotnet", arguments, root, cancellationToken: cancellationToken);
        if (!dotnet.Succeeded) failures.Add($"dotnet test (exit code {dotnet.ExitCode})");

        if (filter == null)
        {
            var api = Path.Combine(root, "api");
            var npm = OperatingSystem.IsWindows() ? "npm.cmd" : "npm";
            if (!Directory.Exists(Path.Combine(api, "node_modules")))
            {
                var install = await processes.RunAsync(npm, ["ci", "--no-audit", "--no-fund", "--loglevel=error"], api, cancellationToken: cancellationToken);
                if (!install.Succeeded) throw new BuildFailure($"npm ci in api/ failed (exit code {install.ExitCode}); see above.");
            }
            var vitest = await processes.RunAsync(npm, ["test"], api, cancellationToken: cancellationToken);
            if (!vitest.Succeeded) failures.Add($"npm test in api/ (exit code {vitest.ExitCode})");
        }
        if (failures.Count > 0) throw new BuildFailure($"Tests failed: {string.Join(", ", failures)}; see the output above.");
    }
}
