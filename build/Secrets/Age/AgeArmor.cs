using System.Text;
using BuildEngine;

namespace AccoReboot.Secrets.Age;

/// <summary>age's ASCII armor: strict PEM with the label AGE ENCRYPTED FILE, padded base64 in 64-column lines.</summary>
static class AgeArmor
{
    private const string Begin = "-----BEGIN AGE ENCRYPTED FILE-----";
    private const string End = "-----END AGE ENCRYPTED FILE-----";

    public static string Wrap(byte[] file)
    {
        var text = new StringBuilder(Begin).Append('\n');
        var base64 = Convert.ToBase64String(file);
        for (var i = 0; i < base64.Length; i += 64)
            text.Append(base64.AsSpan(i, Math.Min(64, base64.Length - i))).Append('\n');
        return text.Append(End).Append('\n').ToString();
    }

    public static byte[] Unwrap(string armored)
    {
        var lines = armored.Replace("\r\n", "\n").Trim().Split('\n');
        if (lines.Length < 3 || lines[0] != Begin || lines[^1] != End)
            throw new BuildFailure("the age data is not ASCII-armored (-----BEGIN AGE ENCRYPTED FILE-----).");
        var body = lines[1..^1];
        // age's reader is strict: full 64-column lines, a shorter last one
        if (body.Take(body.Length - 1).Any(l => l.Length != 64) || body[^1].Length is 0 or > 64)
            throw new BuildFailure("the age armor has malformed lines.");
        try
        {
            return Convert.FromBase64String(string.Concat(body));
        }
        catch (FormatException)
        {
            throw new BuildFailure("the age armor is not valid base64.");
        }
    }
}
