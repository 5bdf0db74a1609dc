using Tests.Support;

namespace Tests.Engine;

[Trait("Category", "Unit")]
public class MaskingTests
{
    private const string Token = "tok-9f8e7d6c5b4a";

    [Fact]
    public void A_secret_parameter_is_masked_in_console_log_file_and_failure_message()
    {
        using var run = EngineRun.Of<ParameterBuild>($"Leak --api-token {Token}");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("the token is ****", run.Out);
        Assert.Contains("refused token ****", run.Error);
        Assert.DoesNotContain(Token, run.All);
        Assert.DoesNotContain(Token, run.LogFile);
        Assert.Contains("the token is ****", run.LogFile);
    }

    [Fact]
    public void A_secret_is_masked_in_an_unexpected_exception_too()
    {
        using var run = EngineRun.Of<ParameterBuild>("LeakBug", environment: new() { ["NUKE_API_TOKEN"] = Token });
        Assert.Contains("bug with ****", run.Error);
        Assert.DoesNotContain(Token, run.All);
    }

    [Fact]
    public void A_secret_is_masked_in_child_process_output()
    {
        using var run = EngineRun.Of<ParameterBuild>($"Child --api-token {Token}");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("child says ****", run.Out);
        Assert.Contains("child err ****", run.Out);
        Assert.DoesNotContain(Token, run.All);
        Assert.DoesNotContain(Token, run.LogFile);
    }

    [Fact]
    public void Help_shows_that_a_secret_is_set_but_not_its_value()
    {
        using var run = EngineRun.Of<ParameterBuild>($"--help --api-token {Token}");
        Assert.Matches(@"--api-token\s+Api token\s+\[\*\*\*\*, from command line\]", run.Out);
        Assert.DoesNotContain(Token, run.All);
    }
}
