using System.Text;
using AccoReboot.Secrets.Age;
using BuildEngine;
using Tests.Support;

namespace Tests.Secrets;

public class AgeTests
{
    private static AgeIdentity VectorIdentity => Parse(TestVectors.AgeIdentity);

    private static AgeIdentity Parse(string text)
    {
        Assert.True(AgeIdentity.TryParse(text, out var identity));
        return identity!;
    }

    private static string VectorArmor() =>
        TestVectors.Sops("age-format.enc.env").Split('\n').Single(l => l.StartsWith("sops_age__list_0__map_enc="))
            ["sops_age__list_0__map_enc=".Length..].Replace("\\n", "\n");

    [Fact, Trait("Category", "Unit")]
    public void The_identity_gives_the_recipient_that_age_keygen_printed()
    {
        Assert.Equal("age1ue8trrm7e2f35gh8mwyt77ukwnvjeqhkv33kq5yrldn23alw952ql6tdwx", VectorIdentity.Recipient.ToString());
        Assert.Equal(TestVectors.AgeIdentity, VectorIdentity.Export());
    }

    [Fact, Trait("Category", "Unit")]
    public void A_file_wrapped_by_the_age_cli_opens_to_the_sops_data_key()
    {
        var dataKey = AgeFile.Decrypt(AgeArmor.Unwrap(VectorArmor()), [VectorIdentity]);
        Assert.Equal(TestVectors.PgpDataKey, dataKey);
    }

    [Fact, Trait("Category", "Unit")]
    public void Our_file_round_trips_for_each_of_several_recipients()
    {
        var alice = AgeIdentity.Generate();
        var bob = AgeIdentity.Generate();
        var payload = Encoding.UTF8.GetBytes(new string('x', 70_000)); // more than one 64 KiB chunk
        var file = AgeFile.Encrypt(payload, [alice.Recipient, bob.Recipient]);
        Assert.Equal(payload, AgeFile.Decrypt(file, [alice]));
        Assert.Equal(payload, AgeFile.Decrypt(file, [bob]));
    }

    [Fact, Trait("Category", "Unit")]
    public void A_stranger_identity_does_not_open_it()
    {
        var file = AgeFile.Encrypt([1, 2, 3], [AgeIdentity.Generate().Recipient]);
        Assert.Throws<AgeFile.NoMatchingIdentity>(() => AgeFile.Decrypt(file, [AgeIdentity.Generate()]));
    }

    [Fact, Trait("Category", "Unit")]
    public void A_changed_header_fails_its_mac()
    {
        var identity = AgeIdentity.Generate();
        var file = AgeFile.Encrypt([1, 2, 3], [identity.Recipient]);
        var text = Encoding.Latin1.GetString(file);
        var tampered = Encoding.Latin1.GetBytes(text.Replace("age-encryption.org/v1\n-> X25519", "age-encryption.org/v1\n-> grease x\n\n-> X25519"));
        var failure = Assert.Throws<BuildFailure>(() => AgeFile.Decrypt(tampered, [identity]));
        Assert.Contains("header MAC does not match", failure.Message);
    }

    [Fact, Trait("Category", "Unit")]
    public void A_changed_payload_is_refused()
    {
        var identity = AgeIdentity.Generate();
        var file = AgeFile.Encrypt([1, 2, 3, 4], [identity.Recipient]);
        file[^3] ^= 0x01;
        var failure = Assert.Throws<BuildFailure>(() => AgeFile.Decrypt(file, [identity]));
        Assert.Contains("payload does not decrypt", failure.Message);
    }

    [Fact, Trait("Category", "Unit")]
    public void A_passphrase_only_file_says_what_is_supported()
    {
        var file = Encoding.ASCII.GetBytes("age-encryption.org/v1\n-> scrypt c2FsdHNhbHRzYWx0c2FsdA 18\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n");
        var failure = Assert.Throws<BuildFailure>(() => AgeFile.Decrypt(file, [AgeIdentity.Generate()]));
        Assert.Contains("encrypted for scrypt only; supported: X25519 recipients", failure.Message);
    }

    [Fact, Trait("Category", "Unit")]
    public void Unsupported_recipient_kinds_are_named()
    {
        Assert.Contains("post-quantum", Assert.Throws<BuildFailure>(() => AgeRecipient.Parse("age1pq1qqqqqqqqqqqqqqqqqq")).Message);
        Assert.Contains("ssh and plugin recipients are not supported",
            Assert.Throws<BuildFailure>(() => AgeRecipient.Parse("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI")).Message);
    }

    [Fact, Trait("Category", "Contract")]
    public void The_age_cli_opens_what_we_wrap()
    {
        using var temp = new TempDirectory();
        var identity = AgeIdentity.Generate();
        var keyFile = temp.File("key.txt", identity.Export() + "\n");
        var armored = temp.File("data.age", AgeArmor.Wrap(AgeFile.Encrypt(Encoding.UTF8.GetBytes("data key bytes"), [identity.Recipient])));
        var result = Tool.Run("age", ["-d", "-i", keyFile, armored]);
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal("data key bytes", result.Out);
    }

    [Fact, Trait("Category", "Contract")]
    public void We_open_what_the_age_cli_wraps_for_two_recipients()
    {
        using var temp = new TempDirectory();
        var alice = AgeIdentity.Generate();
        var bob = AgeIdentity.Generate();
        var result = Tool.Run("age", ["-a", "-r", alice.Recipient.ToString(), "-r", bob.Recipient.ToString()], input: "from the real age");
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal("from the real age", Encoding.UTF8.GetString(AgeFile.Decrypt(AgeArmor.Unwrap(result.Out), [bob])));
        Assert.Equal("from the real age", Encoding.UTF8.GetString(AgeFile.Decrypt(AgeArmor.Unwrap(result.Out), [alice])));
    }

    [Fact, Trait("Category", "Contract")]
    public void The_age_cli_accepts_identities_we_generate()
    {
        using var temp = new TempDirectory();
        var identity = AgeIdentity.Generate();
        var keyFile = temp.File("key.txt", identity.Export() + "\n");
        var result = Tool.Run("age-keygen", ["-y", keyFile]);
        Assert.Equal(identity.Recipient.ToString(), result.Out.Trim());
    }

    [Fact, Trait("Category", "Contract")]
    public void The_age_cli_opens_the_data_key_of_a_sops_file_we_write()
    {
        using var temp = new TempDirectory();
        var identity = AgeIdentity.Generate();
        var dataKey = AccoReboot.Secrets.Sops.SopsDataKey.New();
        var document = AccoReboot.Secrets.Sops.DotenvDocument.Parse("A=1\n", "x");
        var text = AccoReboot.Secrets.Sops.SopsCodec.Encrypt(document, dataKey,
            new AccoReboot.Secrets.Sops.SopsMetadata { AgeKeys = AccoReboot.Secrets.Sops.SopsDataKey.Wrap(dataKey, [identity.Recipient]) }, DateTimeOffset.UtcNow).Render();
        var armored = text.Split('\n').Single(l => l.StartsWith("sops_age__list_0__map_enc="))["sops_age__list_0__map_enc=".Length..].Replace("\\n", "\n");
        var keyFile = temp.File("key.txt", identity.Export() + "\n");
        var output = temp.Combine("data.key");
        var result = Tool.Run("age", ["-d", "-i", keyFile, "-o", output, temp.File("key.age", armored)]);
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal(dataKey, File.ReadAllBytes(output));
    }
}
