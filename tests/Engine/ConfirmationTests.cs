using Tests.Support;

namespace Tests.Engine;

[Trait("Category", "Unit")]
public class ConfirmationTests
{
    private static void Profiles(TempDirectory root) => root.File(".nuke/parameters.test.json", "{}");

    [Fact]
    public void Without_a_terminal_a_destructive_target_refuses_and_never_waits()
    {
        using var run = EngineRun.Of<ParameterBuild>("Destroy --env test", Profiles, interactive: false, input: "test\n");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("needs confirmation, and nobody can answer here (no terminal or CI=true): run it again with --yes.", run.Error);
        Assert.Empty(run.Ran);
    }

    [Fact]
    public void With_yes_it_proceeds_without_asking()
    {
        using var run = EngineRun.Of<ParameterBuild>("Destroy --env test --yes", Profiles);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["Destroy"], run.Ran);
    }

    [Fact]
    public void In_a_terminal_typing_the_environment_name_confirms()
    {
        using var run = EngineRun.Of<ParameterBuild>("Destroy --env test", Profiles, interactive: true, input: "test\n");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Type test to confirm", run.Out);
        Assert.Equal(["Destroy"], run.Ran);
    }

    [Fact]
    public void In_a_terminal_typing_anything_else_refuses()
    {
        using var run = EngineRun.Of<ParameterBuild>("Destroy --env test", Profiles, interactive: true, input: "prod\n");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("you typed 'prod', not 'test'; nothing was done.", run.Error);
        Assert.Empty(run.Ran);
    }
}
