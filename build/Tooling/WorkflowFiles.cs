using BuildEngine;

/// <summary>Writes .github/workflows from the build's [GitHubActions] attributes.</summary>
sealed class WorkflowFiles(NukeBuild build, BuildLog log)
{
    public void Regenerate()
    {
        var written = GitHubActionsWorkflow.Write(build, Profiles.Available(build.RootDirectory));
        log.Info(written.Count == 0 ? "Workflows are up to date." : "Written: " + string.Join(", ", written));
    }
}
