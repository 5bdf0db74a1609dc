namespace BuildEngine;

public enum GitHubActionsImage
{
    UbuntuLatest,
    Ubuntu2404,
    Ubuntu2204,
    WindowsLatest,
    MacOsLatest,
}

public enum GitHubActionsTrigger
{
    Push,
    PullRequest,
    WorkflowDispatch,
}

/// <summary>
/// Declares a GitHub Actions workflow, generated into .github/workflows/&lt;name&gt;.yml (same shape as NUKE's attribute).
/// Workflow-dispatch inputs are matched to build parameters by name and handed over as NUKE_&lt;NAME&gt; variables.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class GitHubActionsAttribute(string name, GitHubActionsImage image) : Attribute
{
    public string Name { get; } = name;
    public GitHubActionsImage Image { get; } = image;
    public GitHubActionsTrigger[] On { get; set; } = [];
    public string[] OnPushBranches { get; set; } = [];
    public string[] OnPullRequestBranches { get; set; } = [];
    public string[] OnWorkflowDispatchRequiredInputs { get; set; } = [];
    public string[] OnWorkflowDispatchOptionalInputs { get; set; } = [];

    /// <summary>Profiles left out of the choice offered for the profile parameter (e.g. a local-only one).</summary>
    public string[] ExcludedProfiles { get; set; } = [];

    public string[] InvokedTargets { get; set; } = [];

    /// <summary>Extra arguments after the targets (e.g. "--yes").</summary>
    public string[] Arguments { get; set; } = [];

    /// <summary>Repository secrets given to the build as environment variables of the same name.</summary>
    public string[] ImportSecrets { get; set; } = [];

    /// <summary>A command run before the build step (e.g. installing services the tests need).</summary>
    public string? Setup { get; set; }

    /// <summary>
    /// Targets run before the invoked ones, their output also in the job's summary; exit code 2 ("changes
    /// pending", as terraform plan -detailed-exitcode) lets the job go on.
    /// </summary>
    public string[] SummaryTargets { get; set; } = [];

    public int TimeoutMinutes { get; set; }

    /// <summary>Concurrency group; runs in the same group queue instead of overlapping.</summary>
    public string? ConcurrencyGroup { get; set; }

    public bool CancelInProgress { get; set; }

    /// <summary>GitHub environment of the job (protection rules, approvals), may use ${{ inputs.x }}.</summary>
    public string? EnvironmentName { get; set; }

    public string[] CacheKeyFiles { get; set; } = ["**/global.json", "**/*.csproj", "**/Directory.Packages.props"];
    public string[] CachePaths { get; set; } = [".nuke/temp", "~/.nuget/packages"];
}
