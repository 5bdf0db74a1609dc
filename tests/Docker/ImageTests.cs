using Tests.Support;

namespace Tests.Docker;

/// <summary>Build and Push against a real Docker Engine and a real registry (Debian docker-registry) on 127.0.0.1.</summary>
[Trait("Category", "Integration")]
public class ImageTests
{
    private static EngineRun Run(TempDirectory root, LocalRegistry registry, string target, Dictionary<string, string>? extra = null, params string[] more)
    {
        var environment = CredentialsRepository.Key(ApiRepository.Identity);
        foreach (var (key, value) in extra ?? []) environment[key] = value;
        return EngineRun.In<Build>(root, [target, "--registry", registry.Address, "--base-image", "local/node:trixie", .. ApiRepository.CaArguments(root), .. more], environment);
    }

    [Fact]
    public void Build_and_push_tag_the_commit_and_a_second_push_of_the_same_image_is_skipped()
    {
        using var registry = new LocalRegistry();
        using var root = new TempDirectory();
        ApiRepository.Create(root, LocalRegistry.Password);
        var sha = ApiRepository.Sha(root);

        var push = Run(root, registry, "Push");
        Assert.True(push.ExitCode == 0, push.All);
        Assert.Contains($"Built {registry.Address}/accoreboot-api:{sha}", push.Out);
        Assert.Contains($"Pushed {registry.Address}/accoreboot-api:{sha} (sha256:", push.Out);
        var inspect = Tool.Run("docker", ["image", "inspect", "--format", "{{index .Config.Labels \"org.opencontainers.image.revision\"}} {{.Config.User}}", $"{registry.Address}/accoreboot-api:latest"]);
        Assert.Equal($"{sha} node", inspect.Out.Trim());

        var again = Run(root, registry, "Push");
        Assert.True(again.ExitCode == 0, again.All);
        Assert.Contains("is already in the registry (same image", again.Out);
        Assert.DoesNotContain(LocalRegistry.Password, push.All + again.All + push.LogFile);
    }

    [Fact]
    public void A_clean_commit_the_registry_holds_is_not_built_again_and_is_pulled_where_missing()
    {
        using var registry = new LocalRegistry();
        using var root = new TempDirectory();
        ApiRepository.Create(root, LocalRegistry.Password);
        var reference = $"{registry.Address}/accoreboot-api:{ApiRepository.Sha(root)}";
        var push = Run(root, registry, "Push");
        Assert.True(push.ExitCode == 0, push.All);
        var id = Tool.Run("docker", ["image", "inspect", "--format", "{{.Id}}", reference]).Out.Trim();
        // another checkout of the same commit, on a machine without the image
        Assert.Equal(0, Tool.Run("docker", ["rmi", reference, $"{registry.Address}/accoreboot-api:latest"]).ExitCode);

        var again = Run(root, registry, "Push");
        Assert.True(again.ExitCode == 0, again.All);
        Assert.Contains($"{reference} is already in the registry", again.Out);
        Assert.Contains("this commit is not built again", again.Out);
        Assert.DoesNotContain("Step 1/", again.Out);
        Assert.Equal(id, Tool.Run("docker", ["image", "inspect", "--format", "{{.Id}}", reference]).Out.Trim());
    }

    [Fact]
    public void Uncommitted_api_changes_give_a_dirty_tag_and_a_warning()
    {
        using var registry = new LocalRegistry();
        using var root = new TempDirectory();
        ApiRepository.Create(root, LocalRegistry.Password);
        File.AppendAllText(root.Combine("api", "src", "main.ts"), "\n// local change\n");
        var build = Run(root, registry, "Build");
        Assert.True(build.ExitCode == 0, build.All);
        Assert.Contains($"accoreboot-api:{ApiRepository.Sha(root)}-dirty", build.Out);
        Assert.Contains("warning: api/ has changes that are not committed", build.Error);
    }

    [Fact]
    public void A_commit_tag_that_holds_another_image_is_refused()
    {
        using var registry = new LocalRegistry();
        using var root = new TempDirectory();
        ApiRepository.Create(root, LocalRegistry.Password);
        var reference = $"{registry.Address}/accoreboot-api:{ApiRepository.Sha(root)}";
        // someone pushed something else under this commit's tag
        using (var config = new TempDirectory())
        {
            var environment = new Dictionary<string, string?> { ["DOCKER_CONFIG"] = config.Path };
            Assert.Equal(0, Tool.Run("docker", ["login", registry.Address, "-u", LocalRegistry.Username, "--password-stdin"], environment: environment, input: LocalRegistry.Password).ExitCode);
            Assert.Equal(0, Tool.Run("docker", ["tag", "local/trixie:base", reference]).ExitCode);
            Assert.Equal(0, Tool.Run("docker", ["push", reference], environment: environment).ExitCode);
        }
        var push = Run(root, registry, "Push");
        Assert.Equal(1, push.ExitCode);
        Assert.Contains($"The registry already has {reference} as another image", push.Error);
    }

    [Fact]
    public void Refused_registry_credentials_are_one_line()
    {
        using var registry = new LocalRegistry();
        using var root = new TempDirectory();
        ApiRepository.Create(root, "not-the-password-0000");
        var push = Run(root, registry, "Push");
        Assert.Equal(1, push.ExitCode);
        Assert.Contains($"The registry {registry.Address} refused the credentials of deployer (401): check REGISTRY_USERNAME and REGISTRY_PASSWORD", push.Error);
        Assert.DoesNotContain("not-the-password-0000", push.All);
    }

    [Fact]
    public void Docker_missing_or_its_daemon_down_are_one_line_each()
    {
        using var registry = new LocalRegistry();
        using var root = new TempDirectory();
        ApiRepository.Create(root, LocalRegistry.Password);
        var missing = Run(root, registry, "Build", new() { ["DOCKER_EXE"] = "/nonexistent/docker" });
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("Docker is not installed (no docker command on PATH)", missing.Error);
        var down = Run(root, registry, "Build", new() { ["DOCKER_HOST"] = "unix:///tmp/no-docker-here.sock" });
        Assert.Equal(1, down.ExitCode);
        Assert.Contains("The Docker daemon does not answer (", down.Error);
        Assert.DoesNotContain("   at ", missing.All + down.All);
    }
}
