using BuildEngine;

/// <summary>Who runs the build, as locks and the state record it: the GitHub actor in Actions, else user@host.</summary>
static class Operator
{
    public static string Describe(IProcessEnvironment environment) =>
        environment.GetVariable("GITHUB_ACTOR") is { Length: > 0 } actor
            ? $"{actor} (GitHub Actions run {environment.GetVariable("GITHUB_RUN_ID")})"
            : $"{environment.GetVariable("USER") ?? environment.GetVariable("USERNAME") ?? "someone"}@{System.Net.Dns.GetHostName()}";
}
