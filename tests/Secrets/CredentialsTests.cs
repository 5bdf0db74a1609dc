using AccoReboot.Secrets;
using AccoReboot.Secrets.Age;
using BuildEngine;
using Tests.Support;

namespace Tests.Secrets;

[Trait("Category", "Unit")]
public class CredentialsTests
{
    private static readonly AgeIdentity Identity = AgeIdentity.Generate();

    private static (CredentialsLoader loader, SecretMasker masker) Loader(TempDirectory root)
    {
        var masker = new SecretMasker();
        var log = new BuildLog(new StringWriter(), new StringWriter(), masker, ansi: false);
        var sources = new AgeIdentitySources(new FakeEnvironment(CredentialsRepository.Key(Identity)), new ProcessRunner(log));
        return (new CredentialsLoader(new SopsDotenvStore(root.Path, sources, TimeProvider.System), masker, CredentialSchema.CommonFile), masker);
    }

    [Fact]
    public async Task Complete_files_give_typed_records_and_register_every_value_as_secret()
    {
        using var root = new TempDirectory();
        CredentialsRepository.With([Identity],
            (CredentialSchema.CommonFile, CredentialsRepository.Complete(CredentialSchema.Common, "c")),
            ("credentials/test.enc.env", CredentialsRepository.Complete(CredentialSchema.Environment, "e")))(root);
        var (loader, masker) = Loader(root);
        var common = await loader.CommonAsync();
        var environment = await loader.EnvironmentAsync("test");
        Assert.Equal("c-registry_password-0123456789", common.RegistryPassword);
        Assert.Equal("e-os_password-0123456789", environment.OpenStackPassword);
        Assert.Equal("password ****", masker.Mask("password e-os_password-0123456789"));
        Assert.DoesNotContain("0123456789", common.ToString());
        // names and public keys are not secrets: they stay readable in messages
        Assert.Equal("user e-os_username-0123456789", masker.Mask("user e-os_username-0123456789"));
    }

    [Fact]
    public async Task A_missing_or_empty_key_is_one_line_naming_file_and_key()
    {
        using var root = new TempDirectory();
        var values = CredentialsRepository.Complete(CredentialSchema.Environment, "e");
        values.Remove("OS_PASSWORD");
        values["API_ADMIN_TOKEN"] = "";
        CredentialsRepository.With([Identity], ("credentials/test.enc.env", values))(root);
        var failure = await Assert.ThrowsAsync<BuildFailure>(() => Loader(root).loader.EnvironmentAsync("test"));
        var lines = failure.Message.Split(Environment.NewLine);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("credentials/test.enc.env: OS_PASSWORD is missing or empty", lines[0]);
        Assert.StartsWith("credentials/test.enc.env: API_ADMIN_TOKEN is missing or empty", lines[1]);
    }

    [Fact]
    public async Task The_environments_own_deploy_key_wins_over_the_common_one_and_comes_as_a_pair()
    {
        using var root = new TempDirectory();
        var own = CredentialsRepository.Complete(CredentialSchema.Environment, "e");
        own["SSH_PRIVATE_KEY"] = "own-private-key-0123456789";
        own["SSH_PUBLIC_KEY"] = "ssh-ed25519 AAAAOwn own";
        CredentialsRepository.With([Identity],
            (CredentialSchema.CommonFile, CredentialsRepository.Complete(CredentialSchema.Common, "c")),
            ("credentials/test.enc.env", own),
            ("credentials/preprod.enc.env", CredentialsRepository.Complete(CredentialSchema.Environment, "p")))(root);
        var (loader, masker) = Loader(root);
        Assert.Equal(new DeployKey("own-private-key-0123456789", "ssh-ed25519 AAAAOwn own"), await loader.DeployKeyAsync("test"));
        Assert.Equal("c-ssh_private_key-0123456789", (await loader.DeployKeyAsync("preprod")).PrivateKey);
        Assert.Equal("key ****", masker.Mask("key own-private-key-0123456789"));

        own.Remove("SSH_PUBLIC_KEY");
        CredentialsRepository.With([Identity], ("credentials/test.enc.env", own))(root);
        var half = await Assert.ThrowsAsync<BuildFailure>(() => Loader(root).loader.EnvironmentAsync("test"));
        Assert.Equal("credentials/test.enc.env: SSH_PRIVATE_KEY and SSH_PUBLIC_KEY go together (the environment's own deploy key): set both or neither with ./build.sh SopsEdit --env test.", half.Message);
    }

    [Fact]
    public void A_new_deploy_key_is_an_unencrypted_openssh_ed25519_key_whose_public_half_matches()
    {
        var key = DeployKeyGenerator.New("accoreboot-test-deploy-20261203");
        var parsed = new Renci.SshNet.PrivateKeyFile(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(key.PrivateKey)));
        var algorithm = parsed.HostKeyAlgorithms.First();
        Assert.Equal("ssh-ed25519", algorithm.Name);
        var parts = key.PublicKey.Split(' ');
        Assert.Equal(("ssh-ed25519", "accoreboot-test-deploy-20261203"), (parts[0], parts[2]));
        Assert.Equal(Convert.ToBase64String(algorithm.Data), parts[1]);
        Assert.StartsWith("-----BEGIN OPENSSH PRIVATE KEY-----\n", key.PrivateKey);
        Assert.All(key.PrivateKey.Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal)), line => Assert.True(line.Length <= 70));
        Assert.NotEqual(key.PublicKey, DeployKeyGenerator.New("accoreboot-test-deploy-20261203").PublicKey);
        Assert.DoesNotContain("PRIVATE", key.ToString());
    }

    [Fact]
    public async Task Common_credentials_do_not_need_the_environment_file()
    {
        using var root = new TempDirectory();
        CredentialsRepository.With([Identity], (CredentialSchema.CommonFile, CredentialsRepository.Complete(CredentialSchema.Common, "c")))(root);
        Assert.Equal("c-s3_access_key-0123456789", (await Loader(root).loader.CommonAsync()).S3AccessKey);
    }

    [Fact]
    public void The_example_files_list_every_key_with_what_it_is()
    {
        foreach (var (example, schema) in new[] { (CredentialSchema.CommonExample, CredentialSchema.Common), (CredentialSchema.EnvironmentExample, CredentialSchema.Environment) })
        {
            var text = File.ReadAllText(Repository.Path(example));
            foreach (var key in schema)
            {
                Assert.Contains($"\n{key.Name}=\n", text);
                Assert.Contains($"# {key.Name}: {key.Description}\n", text);
            }
        }
    }

    [Fact]
    public void The_sops_config_has_a_rule_for_every_credentials_file()
    {
        var config = SopsConfig.Load(Repository.Path(".sops.yaml"), ".sops.yaml");
        foreach (var file in new[] { "credentials/common.enc.env", "credentials/test.enc.env", "credentials/preprod.enc.env", "credentials/prod.enc.env", "credentials/sandbox.enc.env", "credentials/sandbox-common.enc.env" })
            Assert.Contains(config.Rules, rule => rule.PathRegex!.IsMatch(file));
        Assert.Single(config.RecipientsFor("credentials/sandbox.enc.env"));
    }
}
