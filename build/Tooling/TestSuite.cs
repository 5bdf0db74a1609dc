using BuildEngine;

/// <summary>Runs the repository's test suites and fails the target when one fails.</summary>
sealed class TestSuite(string root, ProcessRunner processes, CancellationToken cancellationToken)
{
    public async Task Run(string? filter)
    {
        var arguments = new List<string> { "test", Path.Combine(root, "tests", "Tests.csproj"), "--nologo", "--logger", "console;verbosity=normal" };
        if (filter != null) arguments.AddRange(["--filter", filter]);
        var result = await processes.RunAsync("dotnet", arguments, root, cancellationToken: cancellationToken);
        if (!result.Succeeded) throw new BuildFailure($"dotnet test failed (exit code {result.ExitCode}); see the output above.");
    }
}
