using Tests.Support;

namespace Tests.Engine;

[Trait("Category", "Unit")]
public class ExecutionTests
{
    [Fact]
    public void A_successful_run_prints_the_summary_table_and_exits_zero()
    {
        using var run = EngineRun.Of<ChainBuild>("Compile");
        Assert.Equal(0, run.ExitCode);
        Assert.Matches(@"Restore\s+Succeeded\s+\d+ ms", run.Out);
        Assert.Matches(@"Compile\s+Succeeded", run.Out);
        Assert.Matches(@"Total\s+\d+ ms", run.Out);
        Assert.Contains("Build succeeded", run.Out);
    }

    [Fact]
    public void A_failure_stops_the_run_marks_the_rest_not_run_and_still_runs_assured_targets()
    {
        using var run = EngineRun.Of<FailureBuild>("All --fail-first");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal(["First", "Cleanup"], run.Ran);
        Assert.Matches(@"First\s+Failed", run.Out);
        Assert.Matches(@"Second\s+NotRun", run.Out);
        Assert.Matches(@"Independent\s+NotRun", run.Out);
        Assert.Matches(@"Cleanup\s+Succeeded", run.Out);
        Assert.Contains("error: First: first went wrong", run.Error);
        Assert.Contains("Build failed", run.Out);
    }

    [Fact]
    public void Proceed_after_failure_lets_the_run_go_on_but_the_build_still_fails()
    {
        using var run = EngineRun.Of<FailureBuild>("WithTolerant");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal(["First", "Tolerant", "Second", "Cleanup"], run.Ran);
        Assert.Matches(@"Tolerant\s+Failed", run.Out);
    }

    [Fact]
    public void A_user_error_shows_one_line_but_a_bug_shows_its_stack()
    {
        using var failure = EngineRun.Of<FailureBuild>("First --fail-first");
        Assert.DoesNotContain("   at ", failure.All);

        using var bug = EngineRun.Of<FailureBuild>("Bug");
        Assert.Equal(1, bug.ExitCode);
        Assert.Contains("InvalidOperationException: unexpected", bug.Error);
        Assert.Contains("   at ", bug.Error);
    }

    [Fact]
    public void Static_conditions_skip_the_target_and_the_dependencies_only_it_needed()
    {
        using var run = EngineRun.Of<ConditionBuild>("All");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["Shared", "Other"], run.Ran);
        Assert.Contains("OnlyWhen: () => Enabled", run.Out);
        Assert.Contains("because of Conditional", run.Out);
    }

    [Fact]
    public void When_skipped_execute_keeps_the_dependencies()
    {
        using var run = EngineRun.Of<ConditionBuild>("Keep");
        Assert.Equal(["Dependency"], run.Ran);
    }

    [Fact]
    public void Dynamic_conditions_are_checked_just_before_the_target()
    {
        using var off = EngineRun.Of<ConditionBuild>("Dynamic");
        Assert.Empty(off.Ran);
        Assert.Matches(@"Dynamic\s+Skipped", off.Out);

        using var on = EngineRun.Of<ConditionBuild>("Dynamic --enabled");
        Assert.Equal(["Dynamic"], on.Ran);
    }

    [Fact]
    public void A_missing_required_parameter_fails_before_anything_runs()
    {
        using var run = EngineRun.Of<ParameterBuild>("Show Deploy");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Deploy needs --env (Environment): pass --env <value>, set NUKE_ENV", run.Error);
        Assert.DoesNotContain("values:", run.Out);
    }

    [Fact]
    public void Ctrl_c_aborts_the_running_target_and_still_runs_assured_targets()
    {
        using var run = EngineRun.Of<AbortBuild>("All", whileRunning: host =>
        {
            WaitUntil(() => File.Exists(Path.Combine(host.WorkingDirectory, ".nuke", "temp", "build.log")) &&
                            ReadShared(Path.Combine(host.WorkingDirectory, ".nuke", "temp", "build.log")).Contains("ran: Long started"));
            host.Interrupts.Raise();
        });
        Assert.Equal(130, run.ExitCode);
        Assert.Equal(["Long started", "Cleanup"], run.Ran);
        Assert.Matches(@"Long\s+Aborted", run.Out);
        Assert.Matches(@"Later\s+NotRun", run.Out);
        Assert.Matches(@"Cleanup\s+Succeeded", run.Out);
        Assert.Contains("Build aborted", run.Out);
    }

    [Fact]
    public void A_target_can_set_a_distinct_exit_code_for_success()
    {
        using var run = EngineRun.Of<ParameterBuild>("Drift");
        Assert.Equal(2, run.ExitCode);
    }

    private static void WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met in 20 s");
            Thread.Sleep(20);
        }
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }
}
