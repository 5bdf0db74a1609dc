namespace AccoReboot.Secrets.Age;

/// <summary>BIP 173 Bech32, without its 90-character limit (age keys are longer than Bitcoin addresses).</summary>
static class Bech32
{
    private const string Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    private static readonly uint[] Generator = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

    public static string Encode(string hrp, byte[] data, bool upper = false)
    {
        hrp = hrp.ToLowerInvariant();
        var values = ConvertBits(data, 8, 5, pad: true);
        var checksum = Checksum(hrp, values);
        var text = hrp + "1" + new string(values.Concat(checksum).Select(v => Charset[v]).ToArray());
        return upper ? text.ToUpperInvariant() : text;
    }

    public static (string hrp, byte[] data) Decode(string text)
    {
        if (text != text.ToLowerInvariant() && text != text.ToUpperInvariant())
            throw new FormatException("mixed case");
        text = text.ToLowerInvariant();
        var separator = text.LastIndexOf('1');
        if (separator < 1 || separator + 7 > text.Length) throw new FormatException("no separator or too short");
        var hrp = text[..separator];
        var values = new List<byte>();
        foreach (var c in text[(separator + 1)..])
        {
            var index = Charset.IndexOf(c);
            if (index < 0) throw new FormatException($"invalid character '{c}'");
            values.Add((byte)index);
        }
        if (Polymod(ExpandHrp(hrp).Concat(values)) != 1) throw new FormatException("bad checksum");
        return (hrp, ConvertBits(values.Take(values.Count - 6).ToArray(), 5, 8, pad: false));
    }

    private static byte[] Checksum(string hrp, byte[] values)
    {
        var polymod = Polymod(ExpandHrp(hrp).Concat(values).Concat(new byte[6])) ^ 1;
        return Enumerable.Range(0, 6).Select(i => (byte)((polymod >> (5 * (5 - i))) & 31)).ToArray();
    }

    private static IEnumerable<byte> ExpandHrp(string hrp) =>
        hrp.Select(c => (byte)(c >> 5)).Append((byte)0).Concat(hrp.Select(c => (byte)(c & 31)));

    private static uint Polymod(IEnumerable<byte> values)
    {
        uint chk = 1;
        foreach (var value in values)
        {
            var top = chk >> 25;
            chk = ((chk & 0x1ffffff) << 5) ^ value;
            for (var i = 0; i < 5; i++)
                if (((top >> i) & 1) != 0)
                    chk ^= Generator[i];
        }
        return chk;
    }

    private static byte[] ConvertBits(byte[] data, int from, int to, bool pad)
    {
        int accumulator = 0, bits = 0;
        var maxValue = (1 << to) - 1;
        var result = new List<byte>();
        foreach (var value in data)
        {
            accumulator = (accumulator << from) | value;
            bits += from;
            while (bits >= to)
            {
                bits -= to;
                result.Add((byte)((accumulator >> bits) & maxValue));
            }
        }
        if (pad)
        {
            if (bits > 0) result.Add((byte)((accumulator << (to - bits)) & maxValue));
        }
        else if (bits >= from || ((accumulator << (to - bits)) & maxValue) != 0)
            throw new FormatException("invalid padding");
        return result.ToArray();
    }
}
