using AccoReboot.Secrets.Age;
using AccoReboot.Secrets.Sops;
using BuildEngine;
using Tests.Support;

namespace Tests.Secrets;

[Trait("Category", "Unit")]
public class SopsCodecTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 8, 0, 0, TimeSpan.Zero);

    private static DotenvDocument Decrypt(string text, byte[] key) =>
        SopsCodec.Decrypt(SopsDotenvFile.Parse(text, "test.enc.env"), key, "test.enc.env");

    private static string Encrypt(DotenvDocument document, byte[] key, params AgeRecipient[] recipients) =>
        SopsCodec.Encrypt(document, key, new SopsMetadata { AgeKeys = SopsDataKey.Wrap(key, recipients) }, Now).Render();

    private static DotenvDocument Sample() => DotenvDocument.Parse(
        "# what the keys are\nDB_PASSWORD=s3cr3t-value\nEMPTY=\nMULTI=line one\\nline two\nREGION_unencrypted=GRA9\nQUOTED=\"kept\" = as is\n", "sample");

    [Fact]
    public void A_file_made_by_the_real_sops_decrypts_with_its_data_key()
    {
        var document = Decrypt(TestVectors.Sops("pgp-format.enc.env"), TestVectors.PgpDataKey);
        var entry = Assert.Single(document.Entries);
        Assert.Equal("foo ", entry.Key);
        Assert.Equal(" bar", entry.Value);
    }

    [Fact]
    public void Our_writer_round_trips_through_our_reader()
    {
        var key = SopsDataKey.New();
        var text = Encrypt(Sample(), key, AgeIdentity.Generate().Recipient);
        var document = Decrypt(text, key);
        Assert.Equal(Sample().Render(), document.Render());
        Assert.Equal("line one\nline two", document["MULTI"]);
    }

    [Fact]
    public void Empty_values_stay_empty_and_suffixed_keys_stay_readable()
    {
        var text = Encrypt(Sample(), SopsDataKey.New(), AgeIdentity.Generate().Recipient);
        Assert.Contains("\nEMPTY=\n", text);
        Assert.Contains("\nREGION_unencrypted=GRA9\n", text);
        Assert.Contains("DB_PASSWORD=ENC[AES256_GCM,data:", text);
        Assert.DoesNotContain("s3cr3t-value", text);
        Assert.Contains("\nsops_unencrypted_suffix=_unencrypted\n", text);
        Assert.Contains("\nsops_lastmodified=2026-11-27T08:00:00Z\n", text);
    }

    [Fact]
    public void Metadata_comes_last_sorted_by_name()
    {
        var text = Encrypt(Sample(), SopsDataKey.New(), AgeIdentity.Generate().Recipient, AgeIdentity.Generate().Recipient);
        var keys = text.TrimEnd('\n').Split('\n').Where(l => l.StartsWith("sops_")).Select(l => l[..l.IndexOf('=')]).ToList();
        Assert.Equal(keys.Order(StringComparer.Ordinal), keys);
        Assert.Equal("sops_age__list_0__map_enc", keys[0]);
        Assert.Contains("sops_age__list_1__map_recipient", keys);
        Assert.StartsWith("sops_", text.TrimEnd('\n').Split('\n').SkipWhile(l => !l.StartsWith("sops_")).Last());
    }

    [Fact]
    public void Each_write_uses_fresh_ivs()
    {
        var key = SopsDataKey.New();
        var first = Encrypt(Sample(), key, AgeIdentity.Generate().Recipient);
        var second = Encrypt(Sample(), key, AgeIdentity.Generate().Recipient);
        Assert.NotEqual(Line(first, "DB_PASSWORD="), Line(second, "DB_PASSWORD="));
    }

    [Fact]
    public void Crlf_line_endings_are_read()
    {
        var key = SopsDataKey.New();
        var text = Encrypt(Sample(), key, AgeIdentity.Generate().Recipient).Replace("\n", "\r\n");
        Assert.Equal("s3cr3t-value", Decrypt(text, key)["DB_PASSWORD"]);
        Assert.Equal(" bar", Decrypt(TestVectors.Sops("pgp-format.enc.env").Replace("\n", "\r\n"), TestVectors.PgpDataKey)["foo "]);
    }

    public static TheoryData<string, Func<string, string>> Tamperings => new()
    {
        { "value data", text => Replace(text, "DB_PASSWORD=ENC[AES256_GCM,data:", c => c == 'A' ? 'B' : 'A') },
        { "value iv", text => Replace(text, ",iv:", c => c == 'A' ? 'B' : 'A') },
        { "value tag", text => Replace(text, ",tag:", c => c == 'A' ? 'B' : 'A') },
        { "mac", text => Replace(text, "sops_mac=ENC[AES256_GCM,data:", c => c == 'A' ? 'B' : 'A') },
        { "lastmodified", text => text.Replace("sops_lastmodified=2026-11-27T08:00:00Z", "sops_lastmodified=2026-11-27T08:00:01Z") },
        { "unencrypted value", text => text.Replace("REGION_unencrypted=GRA9", "REGION_unencrypted=SBG5") },
        { "a removed line", text => string.Join('\n', text.Split('\n').Where(l => !l.StartsWith("MULTI="))) },
        { "two values swapped", text => SwapValues(text, "DB_PASSWORD=", "MULTI=") },
    };

    [Theory, MemberData(nameof(Tamperings))]
    public void Tampering_is_always_caught(string what, Func<string, string> tamper)
    {
        var key = SopsDataKey.New();
        var tampered = tamper(Encrypt(Sample(), key, AgeIdentity.Generate().Recipient));
        var failure = Assert.Throws<BuildFailure>(() => Decrypt(tampered, key));
        Assert.True(failure.Message.Contains("MAC does not match") || failure.Message.Contains("does not decrypt"), $"{what}: {failure.Message}");
    }

    [Fact]
    public void Tampering_the_real_sops_file_is_caught()
    {
        var text = TestVectors.Sops("pgp-format.enc.env").Replace("sops_lastmodified=2026-05-22T20:15:29Z", "sops_lastmodified=2026-05-22T20:15:30Z");
        Assert.Throws<BuildFailure>(() => Decrypt(text, TestVectors.PgpDataKey));
    }

    [Fact]
    public void A_file_wrapped_only_for_pgp_says_what_is_supported()
    {
        var file = SopsDotenvFile.Parse(TestVectors.Sops("pgp-format.enc.env"), "pgp.enc.env");
        var failure = Assert.Throws<BuildFailure>(() => SopsDataKey.Unwrap(file.Metadata, [AgeIdentity.Generate()], "pgp.enc.env"));
        Assert.Contains("wrapped only for pgp; this build supports age X25519 recipients", failure.Message);
    }

    [Fact]
    public void Key_groups_are_refused_with_a_clear_message()
    {
        var text = TestVectors.Sops("age-format.enc.env") + "sops_key_groups__list_0__map_age__list_0__map_enc=x\nsops_shamir_threshold=2\n";
        var failure = Assert.Throws<BuildFailure>(() => SopsDotenvFile.Parse(text, "groups.enc.env"));
        Assert.Contains("key groups (Shamir secret sharing)", failure.Message);
    }

    [Fact]
    public void Other_key_sources_are_kept_when_rewritten()
    {
        var file = SopsDotenvFile.Parse(TestVectors.Sops("pgp-format.enc.env"), "pgp.enc.env");
        var document = SopsCodec.Decrypt(file, TestVectors.PgpDataKey, "pgp.enc.env");
        var rewritten = SopsCodec.Encrypt(document, TestVectors.PgpDataKey, file.Metadata, Now).Render();
        Assert.Contains("sops_pgp__list_0__map_fp=", rewritten);
        Assert.Equal(" bar", Decrypt(rewritten, TestVectors.PgpDataKey)["foo "]);
    }

    [Fact]
    public void Invalid_plaintext_lines_name_the_line()
    {
        Assert.Contains("sample:2: expected KEY=value", Assert.Throws<BuildFailure>(() => DotenvDocument.Parse("A=1\nnot a pair\n", "sample")).Message);
        Assert.Contains("sample:1: keys starting with sops_ are reserved", Assert.Throws<BuildFailure>(() => DotenvDocument.Parse("sops_x=1\n", "sample")).Message);
        Assert.Contains("sample:2: a line of only spaces", Assert.Throws<BuildFailure>(() => DotenvDocument.Parse("A=1\n   \n", "sample")).Message);
    }

    private static string Line(string text, string prefix) => text.Split('\n').Single(l => l.StartsWith(prefix));

    private static string Replace(string text, string marker, Func<char, char> change)
    {
        var at = text.IndexOf(marker, StringComparison.Ordinal) + marker.Length;
        return text[..at] + change(text[at]) + text[(at + 1)..];
    }

    private static string SwapValues(string text, string a, string b)
    {
        var lines = text.Split('\n');
        var i = Array.FindIndex(lines, l => l.StartsWith(a));
        var j = Array.FindIndex(lines, l => l.StartsWith(b));
        (lines[i], lines[j]) = (a + lines[j][b.Length..], b + lines[i][a.Length..]);
        return string.Join('\n', lines);
    }
}
