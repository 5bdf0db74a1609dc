using BuildEngine;

namespace Tests.Engine;

[Trait("Category", "Unit")]
public class SecretMaskerTests
{
    [Fact]
    public void A_secret_written_in_pieces_is_still_masked()
    {
        var masker = new SecretMasker();
        masker.Register("hunter2-secret");
        var inner = new StringWriter();
        using (var writer = new MaskingTextWriter(inner, masker))
        {
            writer.Write("pass: hun");
            writer.Write("ter2-sec");
            writer.Write("ret\nnext");
        }
        Assert.Equal("pass: ****\nnext", inner.ToString());
    }

    [Fact]
    public void Each_line_of_a_multiline_secret_is_masked()
    {
        var masker = new SecretMasker();
        masker.Register("-----BEGIN KEY-----\nAAAABBBBCCCC\n-----END KEY-----\n");
        Assert.Equal("line ****", masker.Mask("line AAAABBBBCCCC"));
    }

    [Fact]
    public void Very_short_values_are_not_masked_everywhere()
    {
        var masker = new SecretMasker();
        masker.Register("1");
        masker.Register("yes");
        Assert.Equal("1 yes", masker.Mask("1 yes"));
    }

    [Fact]
    public void The_longest_secret_wins_when_one_contains_another()
    {
        var masker = new SecretMasker();
        masker.Register("abcd");
        masker.Register("abcdefgh");
        Assert.Equal("x **** y", masker.Mask("x abcdefgh y"));
    }
}
