using BuildEngine;

partial class Build
{
    internal static void NotImplementedYet(string target, int issue) =>
        throw new BuildFailure($"{target} is not implemented yet (issue #{issue}).");

    TestSuite TestSuite => new(RootDirectory, Processes, CancellationToken);

    WorkflowFiles WorkflowFiles => new(this, Log);
}
