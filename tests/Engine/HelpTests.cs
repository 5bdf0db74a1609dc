using Tests.Support;

namespace Tests.Engine;

[Trait("Category", "Unit")]
public class HelpTests
{
    [Fact]
    public void Help_lists_targets_with_dependencies_and_parameters_with_current_values()
    {
        using var run = EngineRun.Of<ChainBuild>("--help", defaults: x => x.All);
        Assert.Equal(0, run.ExitCode);
        Assert.Matches(@"Compile\s+-> Restore", run.Out);
        Assert.Matches(@"Publish\s+-> Pack, Test", run.Out);
        Assert.Contains("All (default)", run.Out);
        Assert.Matches(@"--skip\s+Skip these targets", run.Out);
        Assert.Empty(run.Ran);
    }

    [Fact]
    public void Help_shows_values_and_where_they_came_from()
    {
        using var run = EngineRun.Of<ParameterBuild>("--help --env test",
            root => root.File(".nuke/parameters.test.json", """{ "Region": "GRA9" }"""));
        Assert.Matches(@"--region\s+Region\s+\[GRA9, from \.nuke/parameters\.test\.json\]", run.Out);
        Assert.Matches(@"--env\s+Environment\s+\[test, from command line\]", run.Out);
    }
}
