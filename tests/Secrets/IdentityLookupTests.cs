using AccoReboot.Secrets;
using AccoReboot.Secrets.Age;
using BuildEngine;
using Tests.Support;

namespace Tests.Secrets;

[Trait("Category", "Unit")]
public class IdentityLookupTests
{
    private const string VectorFile = "credentials/vector.enc.env";

    private static async Task<string> OpenVector(Dictionary<string, string> environment)
    {
        using var root = new TempDirectory();
        root.File(VectorFile, TestVectors.Sops("age-format.enc.env"));
        var log = new BuildLog(new StringWriter(), new StringWriter(), new SecretMasker(), ansi: false);
        var sources = new AgeIdentitySources(new FakeEnvironment(environment), new ProcessRunner(log));
        var store = new SopsDotenvStore(root.Path, sources, TimeProvider.System);
        return (await store.OpenAsync(VectorFile)).Plaintext["foo "]!;
    }

    [Fact]
    public async Task SOPS_AGE_KEY_opens_the_file_made_by_the_real_sops()
    {
        Assert.Equal(" bar", await OpenVector(new() { ["SOPS_AGE_KEY"] = TestVectors.AgeIdentity }));
    }

    [Fact]
    public async Task SOPS_AGE_KEY_FILE_is_read_with_its_comments()
    {
        using var temp = new TempDirectory();
        var file = temp.File("keys.txt", "# created: 2026-05-22\n# public key: age1ue8…\n" + TestVectors.AgeIdentity + "\n");
        Assert.Equal(" bar", await OpenVector(new() { ["SOPS_AGE_KEY_FILE"] = file }));
    }

    [Fact]
    public async Task SOPS_AGE_KEY_CMD_output_is_used()
    {
        Assert.Equal(" bar", await OpenVector(new() { ["SOPS_AGE_KEY_CMD"] = $"echo {TestVectors.AgeIdentity}" }));
    }

    [Fact]
    public async Task The_user_config_keys_file_is_found()
    {
        using var config = new TempDirectory();
        config.File("sops/age/keys.txt", TestVectors.AgeIdentity + "\n");
        Assert.Equal(" bar", await OpenVector(new() { ["XDG_CONFIG_HOME"] = config.Path }));
    }

    [Fact]
    public async Task All_sources_are_combined_so_any_matching_identity_opens()
    {
        using var config = new TempDirectory();
        config.File("sops/age/keys.txt", TestVectors.AgeIdentity + "\n");
        Assert.Equal(" bar", await OpenVector(new() { ["SOPS_AGE_KEY"] = AgeIdentity.Generate().Export(), ["XDG_CONFIG_HOME"] = config.Path }));
    }

    [Fact]
    public async Task No_identity_at_all_says_where_to_put_one()
    {
        var failure = await Assert.ThrowsAsync<BuildFailure>(() => OpenVector(new() { ["HOME"] = "/nonexistent" }));
        Assert.Contains("no age identity found. Set SOPS_AGE_KEY, SOPS_AGE_KEY_FILE or SOPS_AGE_KEY_CMD", failure.Message);
    }

    [Fact]
    public async Task A_wrong_identity_names_yours_and_the_recipients()
    {
        var stranger = AgeIdentity.Generate();
        var failure = await Assert.ThrowsAsync<BuildFailure>(() => OpenVector(new() { ["SOPS_AGE_KEY"] = stranger.Export() }));
        Assert.Contains($"none of your age identities ({stranger.Recipient})", failure.Message);
        Assert.Contains("age1ue8trrm7e2f35gh8mwyt77ukwnvjeqhkv33kq5yrldn23alw952ql6tdwx", failure.Message);
        Assert.Contains("SopsUpdateKeys", failure.Message);
        Assert.DoesNotContain(stranger.Export(), failure.Message);
    }

    [Fact]
    public async Task Only_post_quantum_identities_are_named_as_unsupported()
    {
        var failure = await Assert.ThrowsAsync<BuildFailure>(() => OpenVector(new() { ["SOPS_AGE_KEY"] = "AGE-SECRET-KEY-PQ-1QQQQQQQQQ", ["HOME"] = "/nonexistent" }));
        Assert.Contains("found only a post-quantum identity in SOPS_AGE_KEY; this build supports age X25519 identities", failure.Message);
    }

    [Fact]
    public async Task A_failing_key_command_is_one_line()
    {
        var failure = await Assert.ThrowsAsync<BuildFailure>(() => OpenVector(new() { ["SOPS_AGE_KEY_CMD"] = "echo vault sealed >&2; exit 4" }));
        Assert.Equal("SOPS_AGE_KEY_CMD exited with code 4: vault sealed", failure.Message);
    }

    [Fact]
    public void The_keys_file_location_follows_the_platform_rules()
    {
        var log = new BuildLog(new StringWriter(), new StringWriter(), new SecretMasker(), ansi: false);
        var sources = new AgeIdentitySources(new FakeEnvironment(new() { ["HOME"] = "/home/dev" }), new ProcessRunner(log));
        Assert.Equal("/home/dev/.config/sops/age/keys.txt", sources.UserKeysFile());
    }
}
