using BuildEngine;

namespace Tests.Engine;

/// <summary>Small builds whose targets print "ran: Name", so tests read what ran and in which order.</summary>
public abstract class RecordingBuild : NukeBuild
{
    protected void Ran(string name) => Log.Info("ran: " + name);
}

public sealed class ChainBuild : RecordingBuild
{
    Target Clean => _ => _.Before(Restore).Executes(() => Ran(nameof(Clean)));
    Target Restore => _ => _.Executes(() => Ran(nameof(Restore)));
    public Target Compile => _ => _.DependsOn(Restore).Executes(() => Ran(nameof(Compile)));
    Target Test => _ => _.DependsOn(Compile).Executes(() => Ran(nameof(Test)));
    Target Pack => _ => _.DependsOn(Compile).After(Test).Executes(() => Ran(nameof(Pack)));
    Target Publish => _ => _.DependsOn(Pack, Test).Executes(() => Ran(nameof(Publish)));
    Target Announce => _ => _.TriggeredBy(Publish).Executes(() => Ran(nameof(Announce)));
    Target Archive => _ => _.Executes(() => Ran(nameof(Archive))).Triggers(Announce);
    public Target All => _ => _.DependsOn(Publish);
}

public sealed class CycleBuild : RecordingBuild
{
    Target A => _ => _.DependsOn(C).Executes(() => Ran(nameof(A)));
    Target B => _ => _.DependsOn(A).Executes(() => Ran(nameof(B)));
    Target C => _ => _.After(B).Executes(() => Ran(nameof(C)));
}

public sealed class FailureBuild : RecordingBuild
{
    [Parameter] readonly bool FailFirst;

    Target First => _ => _.Executes(() =>
    {
        Ran(nameof(First));
        if (FailFirst) throw new BuildFailure("first went wrong");
    });
    Target Tolerant => _ => _.DependsOn(First).ProceedAfterFailure().Executes(() =>
    {
        Ran(nameof(Tolerant));
        throw new BuildFailure("tolerant went wrong");
    });
    Target Second => _ => _.DependsOn(First).After(Tolerant).Executes(() => Ran(nameof(Second)));
    Target Independent => _ => _.After(Second).Executes(() => Ran(nameof(Independent)));
    Target Cleanup => _ => _.AssuredAfterFailure().After(Independent).Executes(() => Ran(nameof(Cleanup)));
    Target Bug => _ => _.Executes(() => throw new InvalidOperationException("unexpected"));
    Target All => _ => _.DependsOn(First, Second, Independent, Cleanup);
    Target WithTolerant => _ => _.DependsOn(Tolerant, Second, Cleanup);
}

public sealed class ConditionBuild : RecordingBuild
{
    [Parameter] readonly bool Enabled;

    Target Dependency => _ => _.Executes(() => Ran(nameof(Dependency)));
    Target Shared => _ => _.Executes(() => Ran(nameof(Shared)));
    Target Conditional => _ => _.DependsOn(Dependency, Shared).OnlyWhenStatic(() => Enabled).Executes(() => Ran(nameof(Conditional)));
    Target Other => _ => _.DependsOn(Shared).Executes(() => Ran(nameof(Other)));
    Target Dynamic => _ => _.OnlyWhenDynamic(() => Enabled).Executes(() => Ran(nameof(Dynamic)));
    Target Keep => _ => _.DependsOn(Dependency).OnlyWhenStatic(() => Enabled).WhenSkipped(DependencyBehavior.Execute).Executes(() => Ran(nameof(Keep)));
    Target All => _ => _.DependsOn(Conditional, Other);
}

public sealed class AbortBuild : RecordingBuild
{
    Target Long => _ => _.Executes(async () =>
    {
        Ran("Long started");
        await Task.Delay(TimeSpan.FromMinutes(5), CancellationToken);
        Ran("Long finished");
    });
    Target Later => _ => _.DependsOn(Long).Executes(() => Ran(nameof(Later)));
    Target Cleanup => _ => _.AssuredAfterFailure().After(Later).Executes(() => Ran(nameof(Cleanup)));
    Target All => _ => _.DependsOn(Later, Cleanup);
}

public enum Flavor { Small, Large }

public sealed class ParameterBuild : RecordingBuild
{
    [Parameter("Environment")][SelectsProfile] readonly string? Env;
    [Parameter("Region")] readonly string Region = "initializer";
    [Parameter("Count")] readonly int Count;
    [Parameter("Enabled")] readonly bool Enabled;
    [Parameter("Size")] readonly Flavor Size;
    [Parameter("Cidrs")] readonly string[] AdminCidrs = [];
    [Parameter("Api token")][Secret] readonly string? ApiToken;

    Target Show => _ => _.Executes(() =>
        Log.Info($"values: env={Env} region={Region} count={Count} enabled={Enabled} size={Size} cidrs={string.Join(",", AdminCidrs)}"));

    /// <summary>Every profile as its files give it (State over all environments), beside the run's own.</summary>
    Target ShowProfiles => _ => _.Executes(() =>
    {
        foreach (var profile in Profiles.Available(RootDirectory))
        {
            var other = BoundTo<ParameterBuild>(profile);
            Log.Info($"profile {profile}: env={other.Env} region={other.Region} count={other.Count} size={other.Size}");
        }
    });

    Target Leak => _ => _.Executes(() =>
    {
        Log.Info($"the token is {ApiToken}");
        throw new BuildFailure($"refused token {ApiToken}");
    });

    Target LeakBug => _ => _.Executes(() => throw new InvalidOperationException($"bug with {ApiToken}"));

    Target Child => _ => _.Executes(async () =>
    {
        await Processes.RunAsync("sh", ["-c", "echo child says $TOKEN; echo child err $TOKEN >&2"],
            environment: new Dictionary<string, string?> { ["TOKEN"] = ApiToken });
    });

    Target Deploy => _ => _.Requires(() => Env).Executes(() => Ran(nameof(Deploy)));

    Target Destroy => _ => _.Requires(() => Env).Executes(() =>
    {
        Confirm.RequireTyped($"Delete everything in {Env}", Env!);
        Ran(nameof(Destroy));
    });

    Target Drift => _ => _.Executes(() => { ExitCode = 2; });
}
