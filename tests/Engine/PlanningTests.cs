using Tests.Support;

namespace Tests.Engine;

[Trait("Category", "Unit")]
public class PlanningTests
{
    [Fact]
    public void Dependencies_run_first_and_ties_go_to_declaration_order()
    {
        using var run = EngineRun.Of<ChainBuild>("Publish");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["Restore", "Compile", "Test", "Pack", "Publish", "Announce"], run.Ran);
    }

    [Fact]
    public void After_and_before_only_order_and_never_pull_a_target_in()
    {
        using var run = EngineRun.Of<ChainBuild>("Compile");
        Assert.Equal(["Restore", "Compile"], run.Ran);

        using var both = EngineRun.Of<ChainBuild>("Restore Clean");
        Assert.Equal(["Clean", "Restore"], both.Ran);
    }

    [Fact]
    public void Triggers_add_the_triggered_target_after_the_trigger()
    {
        using var run = EngineRun.Of<ChainBuild>("Archive");
        Assert.Equal(["Archive", "Announce"], run.Ran);
    }

    [Fact]
    public void A_cycle_is_an_error_that_names_it_and_runs_nothing()
    {
        using var run = EngineRun.Of<CycleBuild>("B");
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("Circular dependency between targets: ", run.Error);
        Assert.Contains("A", run.Error);
        Assert.Matches(@"(A|B|C) -> (A|B|C) -> (A|B|C) -> (A|B|C)", run.Error);
        Assert.Empty(run.Ran);
    }

    [Fact]
    public void An_unknown_target_lists_the_available_ones()
    {
        using var run = EngineRun.Of<ChainBuild>("Deploy");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Target 'Deploy' does not exist. Available targets: All, Announce, Archive, Clean, Compile, Pack, Publish, Restore, Test.", run.Error);
        Assert.DoesNotContain("   at ", run.All);
    }

    [Fact]
    public void Target_names_match_ignoring_case_and_dashes()
    {
        using var run = EngineRun.Of<ChainBuild>("com-pile");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["Restore", "Compile"], run.Ran);
    }

    [Fact]
    public void Plan_prints_the_order_and_runs_nothing()
    {
        using var run = EngineRun.Of<ChainBuild>("All --plan");
        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("Restore → Compile → Test → Pack → Publish → Announce", run.Out);
        Assert.Contains("All  (groups its dependencies", run.Out);
        Assert.Empty(run.Ran);
    }

    [Fact]
    public void Skip_without_names_skips_everything_not_invoked()
    {
        using var run = EngineRun.Of<ChainBuild>("Publish --skip");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["Publish"], run.Ran);
        Assert.Contains("via --skip", run.Out);
    }

    [Fact]
    public void Skip_with_names_skips_those_and_what_only_they_needed()
    {
        using var run = EngineRun.Of<ChainBuild>("Publish --skip Pack");
        // Compile is still needed by Test, so it runs
        Assert.Equal(["Restore", "Compile", "Test", "Publish", "Announce"], run.Ran);
    }

    [Fact]
    public void Skip_never_skips_an_invoked_target()
    {
        using var run = EngineRun.Of<ChainBuild>("Compile --skip Compile Restore");
        Assert.Equal(["Compile"], run.Ran);
    }

    [Fact]
    public void Skip_of_an_unknown_target_is_an_error()
    {
        using var run = EngineRun.Of<ChainBuild>("Compile --skip Nope");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Target 'Nope' does not exist", run.Error);
        Assert.Empty(run.Ran);
    }

    [Fact]
    public void Without_targets_the_defaults_run_and_without_arguments_help_is_shown()
    {
        using var defaults = EngineRun.Of<ChainBuild>("--verbose", defaults: x => x.Compile);
        Assert.Equal(["Restore", "Compile"], defaults.Ran);

        using var bare = EngineRun.Of<ChainBuild>("", defaults: x => x.Compile);
        Assert.Empty(bare.Ran);
        Assert.Contains("Compile (default)", bare.Out);
    }
}
