using AccoReboot.Secrets;
using AccoReboot.Secrets.Age;
using AccoReboot.Secrets.Sops;
using Tests.Support;

namespace Tests.Secrets;

[Trait("Category", "Unit")]
public class SopsTargetsTests
{
    private static readonly AgeIdentity Alice = AgeIdentity.Generate();
    private static readonly AgeIdentity Bob = AgeIdentity.Generate();

    private static Dictionary<string, string> Editor(TempDirectory scratch, string script, AgeIdentity? identity = null)
    {
        var path = scratch.File("editor.sh", "#!/bin/sh\n" + script + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var environment = CredentialsRepository.Key(identity ?? Alice);
        environment["EDITOR"] = path;
        environment["PATH"] = Environment.GetEnvironmentVariable("PATH")!;
        return environment;
    }

    [Fact]
    public void SopsEdit_creates_a_missing_file_from_its_example_and_leaves_no_plaintext()
    {
        using var scratch = new TempDirectory();
        var marker = scratch.Combine("seen");
        // the editor records the path and mode it was given, then fills in one value
        var environment = Editor(scratch, $"echo \"$1 $(stat -c %a \"$1\") $(stat -c %a \"$(dirname \"$1\")\")\" > {marker}\nsed -i 's/^OS_PASSWORD=$/OS_PASSWORD=typed-in-the-editor/' \"$1\"");
        using var run = EngineRun.Of<Build>("SopsEdit --env test", CredentialsRepository.With([Alice]), environment, interactive: true);

        Assert.Equal(0, run.ExitCode);
        var seen = File.ReadAllText(marker).Trim().Split(' ');
        Assert.Equal(["600", "700"], seen[1..]);
        Assert.False(File.Exists(seen[0]), "the decrypted scratch file must be gone");
        Assert.False(Directory.Exists(Path.GetDirectoryName(seen[0])));
        var written = File.ReadAllText(run.Root.Combine("credentials", "test.enc.env"));
        Assert.DoesNotContain("typed-in-the-editor", written);
        var document = CredentialsRepository.Read(run.Root.Path, "credentials/test.enc.env", Alice);
        Assert.Equal("typed-in-the-editor", document["OS_PASSWORD"]);
        Assert.Equal("", document["OVH_PROJECT_ID"]);
        Assert.Contains("still lacks OVH_PROJECT_ID", run.Error);
    }

    [Fact]
    public void SopsEdit_re_encrypts_a_change_with_the_same_data_key()
    {
        using var scratch = new TempDirectory();
        var environment = Editor(scratch, "sed -i 's/^REGISTRY_PASSWORD=.*/REGISTRY_PASSWORD=rotated-password/' \"$1\"");
        using var run = EngineRun.Of<Build>("SopsEdit --file common", CredentialsRepository.With([Alice],
            (CredentialSchema.CommonFile, CredentialsRepository.Complete(CredentialSchema.Common, "old"))), environment, interactive: true);

        Assert.Equal(0, run.ExitCode);
        var document = CredentialsRepository.Read(run.Root.Path, CredentialSchema.CommonFile, Alice);
        Assert.Equal("rotated-password", document["REGISTRY_PASSWORD"]);
        Assert.Equal("old-s3_secret_key-0123456789", document["S3_SECRET_KEY"]);
        Assert.DoesNotContain("old-", run.All);
    }

    [Fact]
    public void SopsEdit_without_a_change_writes_nothing()
    {
        using var scratch = new TempDirectory();
        var environment = Editor(scratch, "true");
        using var run = EngineRun.Of<Build>("SopsEdit --file common", CredentialsRepository.With([Alice],
            (CredentialSchema.CommonFile, CredentialsRepository.Complete(CredentialSchema.Common, "same"))), environment, interactive: true);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("no change, nothing written", run.Out);
    }

    [Fact]
    public void SopsEdit_keeps_the_file_when_the_editor_fails_and_cleans_up()
    {
        using var scratch = new TempDirectory();
        var marker = scratch.Combine("seen");
        var environment = Editor(scratch, $"echo \"$1\" > {marker}\necho GARBAGE >> \"$1\"\nexit 3");
        using var run = EngineRun.Of<Build>("SopsEdit --file common", CredentialsRepository.With([Alice],
            (CredentialSchema.CommonFile, CredentialsRepository.Complete(CredentialSchema.Common, "kept"))), environment, interactive: true);
        var before = File.ReadAllText(run.Root.Combine("credentials", "common.enc.env"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("exited with code 3; nothing was saved", run.Error);
        Assert.False(File.Exists(File.ReadAllText(marker).Trim()));
        Assert.Equal(before, File.ReadAllText(run.Root.Combine("credentials", "common.enc.env")));
    }

    [Fact]
    public void SopsEdit_refuses_an_edit_that_is_not_dotenv_and_writes_nothing()
    {
        using var scratch = new TempDirectory();
        var environment = Editor(scratch, "echo 'this is not a pair' >> \"$1\"");
        using var run = EngineRun.Of<Build>("SopsEdit --file common", CredentialsRepository.With([Alice],
            (CredentialSchema.CommonFile, CredentialsRepository.Complete(CredentialSchema.Common, "kept"))), environment, interactive: true, input: "n\n");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("credentials/common.enc.env (your edit):10: expected KEY=value", run.Error);
        Assert.Equal("kept-ovh_consumer_key-0123456789", CredentialsRepository.Read(run.Root.Path, CredentialSchema.CommonFile, Alice)["OVH_CONSUMER_KEY"]);
    }

    [Fact]
    public void SopsEdit_without_a_recipient_refuses_before_opening_the_editor()
    {
        using var scratch = new TempDirectory();
        var marker = scratch.Combine("opened");
        var environment = Editor(scratch, $"touch {marker}");
        using var run = EngineRun.Of<Build>("SopsEdit --env test", root =>
        {
            CredentialsRepository.With([Alice])(root);
            root.File(".sops.yaml", "creation_rules:\n  - path_regex: credentials/.*\\.enc\\.env$\n    age: \"\"\n");
        }, environment, interactive: true);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("lists no age recipient. Add your public key", run.Error);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void SopsEdit_where_nobody_can_see_refuses_before_decrypting_and_shows_no_secret()
    {
        using var scratch = new TempDirectory();
        var marker = scratch.Combine("opened");
        // an editor that paints the file onto its output, as vim does where there is no terminal
        var environment = Editor(scratch, $"touch {marker}\ncat \"$1\"");
        var secrets = CredentialsRepository.Complete(CredentialSchema.Common, "never-shown");
        using var run = EngineRun.Of<Build>("SopsEdit --file common", CredentialsRepository.With([Alice], (CredentialSchema.CommonFile, secrets)),
            environment, interactive: false);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("SopsEdit shows credentials/common.enc.env decrypted in an editor, so it needs a terminal", run.Error);
        Assert.False(File.Exists(marker), "the editor must not start");
        foreach (var value in secrets.Values.Where(v => v.Length > 0))
        {
            Assert.DoesNotContain(value, run.All);
            Assert.DoesNotContain(value, run.LogFile);
        }
    }

    [Fact]
    public void SopsUpdateKeys_adds_a_recipient_without_changing_the_data_key()
    {
        using var run = EngineRun.Of<Build>("SopsUpdateKeys", root =>
        {
            CredentialsRepository.With([Alice], ("credentials/test.enc.env", new() { ["OS_PASSWORD"] = "shared-secret" }))(root);
            root.File(".sops.yaml", $"creation_rules:\n  - path_regex: credentials/.*\\.enc\\.env$\n    age: {Alice.Recipient}, {Bob.Recipient}\n");
        }, CredentialsRepository.Key(Alice));
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("(same data key)", run.Out);
        Assert.Equal("shared-secret", CredentialsRepository.Read(run.Root.Path, "credentials/test.enc.env", Bob)["OS_PASSWORD"]);
        Assert.Equal("shared-secret", CredentialsRepository.Read(run.Root.Path, "credentials/test.enc.env", Alice)["OS_PASSWORD"]);
    }

    [Fact]
    public void SopsUpdateKeys_rotates_the_data_key_when_a_recipient_is_removed()
    {
        using var run = EngineRun.Of<Build>("SopsUpdateKeys", root =>
        {
            CredentialsRepository.With([Alice, Bob], ("credentials/test.enc.env", new() { ["OS_PASSWORD"] = "shared-secret" }))(root);
            root.File(".sops.yaml", $"creation_rules:\n  - path_regex: credentials/.*\\.enc\\.env$\n    age: {Alice.Recipient}\n");
        }, CredentialsRepository.Key(Alice));
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("data key was rotated", run.Out);
        Assert.Contains($"credentials/test.enc.env: {Bob.Recipient} could read its values and may have kept them: renew each of its values where it was issued", run.All);
        Assert.Equal("shared-secret", CredentialsRepository.Read(run.Root.Path, "credentials/test.enc.env", Alice)["OS_PASSWORD"]);
        Assert.ThrowsAny<Exception>(() => CredentialsRepository.Read(run.Root.Path, "credentials/test.enc.env", Bob));
    }

    [Fact]
    public void After_a_removal_the_advice_names_the_rotations_that_fit_the_file()
    {
        DotenvDocument Of(params string[] keys) => new(keys.Select(k => DotenvItem.Entry(k, "value")).ToList());
        Assert.Equal("run Rotate --env prod --what api-tokens, then --what deploy-key (it gives the environment a deploy key of its own); OS_PASSWORD and the EMQX values are renewed at OVH and by SopsEdit.",
            SopsKeyUpdater.RotationAdvice("credentials/prod.enc.env", Of("API_ADMIN_TOKEN", "OS_PASSWORD")));
        Assert.DoesNotContain("of its own", SopsKeyUpdater.RotationAdvice("credentials/prod.enc.env", Of("API_ADMIN_TOKEN", "SSH_PRIVATE_KEY")));
        Assert.StartsWith("run Rotate --env <env> --what deploy-key for each environment still on the common deploy key",
            SopsKeyUpdater.RotationAdvice("credentials/common.enc.env", Of("OVH_APPLICATION_KEY", "SSH_PRIVATE_KEY")));
    }

    [Fact]
    public void Exec_passes_the_values_and_the_exit_code_through_and_masks_them()
    {
        var values = CredentialsRepository.Complete(CredentialSchema.Environment, "env");
        using var run = EngineRun.Of<Build>(["Exec", "--env", "test", "--", "sh", "-c", "echo got $OS_PASSWORD $REGISTRY_PASSWORD; exit 3"],
            CredentialsRepository.With([Alice], (CredentialSchema.CommonFile, CredentialsRepository.Complete(CredentialSchema.Common, "common")),
                ("credentials/test.enc.env", values)),
            CredentialsRepository.Key(Alice));
        Assert.Equal(3, run.ExitCode);
        Assert.Contains("got **** ****", run.Out);
        Assert.DoesNotContain(values["OS_PASSWORD"], run.All);
        Assert.DoesNotContain("common-registry_password-0123456789", run.All);
        Assert.DoesNotContain(values["OS_PASSWORD"], run.LogFile);
    }

    [Fact]
    public void SopsEdit_interrupted_by_ctrl_c_saves_nothing_and_cleans_up()
    {
        using var scratch = new TempDirectory();
        var marker = scratch.Combine("seen");
        var release = scratch.Combine("release");
        var environment = Editor(scratch, $"echo \"$1\" > {marker}\necho CHANGED=1 >> \"$1\"\nwhile [ ! -f {release} ]; do sleep 0.05; done");
        using var run = EngineRun.Of<Build>(["SopsEdit", "--file", "common"], CredentialsRepository.With([Alice],
            (CredentialSchema.CommonFile, CredentialsRepository.Complete(CredentialSchema.Common, "kept"))), environment, interactive: true,
            whileRunning: host =>
            {
                var deadline = DateTime.UtcNow.AddSeconds(20);
                while (!File.Exists(marker) && DateTime.UtcNow < deadline) Thread.Sleep(20);
                host.Interrupts.Raise();
                File.WriteAllText(release, "");
            });
        Assert.Equal(130, run.ExitCode);
        Assert.False(File.Exists(File.ReadAllText(marker).Trim()), "the scratch file must be gone");
        Assert.Null(CredentialsRepository.Read(run.Root.Path, CredentialSchema.CommonFile, Alice)["CHANGED"]);
    }
}
