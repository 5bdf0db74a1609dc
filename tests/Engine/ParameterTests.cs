using Tests.Support;

namespace Tests.Engine;

[Trait("Category", "Unit")]
public class ParameterTests
{
    private static void Files(TempDirectory root)
    {
        root.File(".nuke/parameters.json", """{ "$schema": "./build.schema.json", "Region": "from-defaults", "Count": 1, "Size": "Small" }""");
        root.File(".nuke/parameters.test.json", """{ "Region": "from-profile", "AdminCidrs": ["10.0.0.0/8", "192.168.0.0/16"] }""");
        root.File(".nuke/parameters.prod.json", """{ "Size": "large" }""");
    }

    [Fact]
    public void Values_come_from_the_initializer_when_nothing_else_is_set()
    {
        using var run = EngineRun.Of<ParameterBuild>("Show");
        Assert.Contains("values: env= region=initializer count=0 enabled=False size=Small cidrs=", run.Out);
    }

    [Fact]
    public void The_default_parameter_file_beats_the_initializer()
    {
        using var run = EngineRun.Of<ParameterBuild>("Show", Files);
        Assert.Contains("region=from-defaults count=1", run.Out);
    }

    [Fact]
    public void The_profile_file_beats_the_default_file()
    {
        using var run = EngineRun.Of<ParameterBuild>("Show --env test", Files);
        Assert.Contains("values: env=test region=from-profile count=1 enabled=False size=Small cidrs=10.0.0.0/8,192.168.0.0/16", run.Out);
    }

    [Fact]
    public void Another_profile_is_bound_from_its_files_over_the_same_defaults_without_the_runs_own_arguments()
    {
        using var run = EngineRun.Of<ParameterBuild>("ShowProfiles --env test --count 7", Files, new() { ["NUKE_REGION"] = "from-variable" });
        Assert.True(run.ExitCode == 0, run.All);
        Assert.Contains("profile prod: env=prod region=from-defaults count=1 size=Large", run.Out);
        Assert.Contains("profile test: env=test region=from-profile count=1 size=Small", run.Out);
        Assert.DoesNotContain("from-variable", run.Out);
    }

    [Fact]
    public void An_environment_variable_beats_the_files()
    {
        using var run = EngineRun.Of<ParameterBuild>("Show --env test", Files, new() { ["NUKE_REGION"] = "from-variable", ["NUKE_ADMIN_CIDRS"] = "1.2.3.4/32,5.6.7.8/32" });
        Assert.Contains("region=from-variable", run.Out);
        Assert.Contains("cidrs=1.2.3.4/32,5.6.7.8/32", run.Out);
    }

    [Fact]
    public void The_command_line_beats_everything()
    {
        using var run = EngineRun.Of<ParameterBuild>("Show --env test --region from-cli --count 7 --enabled --size large --admin-cidrs 9.9.9.9/32", Files,
            new() { ["NUKE_REGION"] = "from-variable" });
        Assert.Contains("values: env=test region=from-cli count=7 enabled=True size=Large cidrs=9.9.9.9/32", run.Out);
    }

    [Fact]
    public void The_profile_can_be_chosen_by_environment_variable()
    {
        using var run = EngineRun.Of<ParameterBuild>("Show", Files, new() { ["NUKE_ENV"] = "prod" });
        Assert.Contains("env=prod region=from-defaults count=1 enabled=False size=Large", run.Out);
    }

    [Fact]
    public void Names_match_in_any_case_and_dash_style_and_the_last_occurrence_wins()
    {
        using var run = EngineRun.Of<ParameterBuild>("Show -Region a --REGION b --admincidrs 1.1.1.1/32 --region=c");
        Assert.Contains("region=c", run.Out);
        Assert.Contains("cidrs=1.1.1.1/32", run.Out);
    }

    [Fact]
    public void A_bad_integer_is_one_clear_line()
    {
        using var run = EngineRun.Of<ParameterBuild>("Show --count many");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("error: Invalid value 'many' for --count (command line): expected an integer.", run.Error.Trim());
        Assert.Empty(run.Out);
    }

    [Fact]
    public void A_bad_enum_value_lists_the_valid_ones()
    {
        using var run = EngineRun.Of<ParameterBuild>("Show --size huge");
        Assert.Contains("Invalid value 'huge' for --size (command line): expected one of: Small, Large.", run.Error);
    }

    [Fact]
    public void A_bad_boolean_in_a_file_names_the_file()
    {
        using var run = EngineRun.Of<ParameterBuild>("Show", root => root.File(".nuke/parameters.json", """{ "Enabled": "maybe" }"""));
        Assert.Contains("Invalid value 'maybe' for --enabled (.nuke/parameters.json): expected true or false.", run.Error);
    }

    [Fact]
    public void An_unknown_parameter_suggests_the_closest()
    {
        using var run = EngineRun.Of<ParameterBuild>("Show --regoin x");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Unknown parameter --regoin. Did you mean --region?", run.Error);
    }

    [Fact]
    public void An_unknown_environment_lists_the_profiles()
    {
        using var run = EngineRun.Of<ParameterBuild>("Show --env staging", Files);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Unknown value 'staging' for --env: there is no .nuke/parameters.staging.json. Available: prod, test.", run.Error);
    }

    [Fact]
    public void A_malformed_parameter_file_gives_file_line_and_column()
    {
        using var run = EngineRun.Of<ParameterBuild>("Show", root => root.File(".nuke/parameters.json", "{\n  \"Region\": \"x\"\n  \"Count\": 2\n}"));
        Assert.Equal(1, run.ExitCode);
        Assert.Matches(@"error: \.nuke/parameters\.json:3:3: malformed JSON", run.Error);
    }

    [Fact]
    public void An_unknown_key_in_a_parameter_file_is_refused()
    {
        using var run = EngineRun.Of<ParameterBuild>("Show", root => root.File(".nuke/parameters.json", """{ "Regin": "x" }"""));
        Assert.Contains(".nuke/parameters.json: unknown parameter 'Regin'. Did you mean 'Region'?", run.Error);
    }

    [Fact]
    public void A_secret_in_a_parameter_file_is_refused()
    {
        using var run = EngineRun.Of<ParameterBuild>("Show", root => root.File(".nuke/parameters.json", """{ "ApiToken": "plain" }"""));
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("secret parameter --api-token must not be stored in plaintext", run.Error);
    }

    [Fact]
    public void Arrays_in_a_file_must_be_arrays()
    {
        using var run = EngineRun.Of<ParameterBuild>("Show", root => root.File(".nuke/parameters.json", """{ "AdminCidrs": "10.0.0.0/8" }"""));
        Assert.Contains("--admin-cidrs in .nuke/parameters.json must be a JSON array of a text.", run.Error);
    }
}
