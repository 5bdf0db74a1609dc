using BuildEngine;
using System.Security.Cryptography;
using Org.BouncyCastle.Math.EC.Rfc7748;

namespace AccoReboot.Secrets.Age;

/// <summary>An age X25519 recipient: the public key, written age1…</summary>
sealed class AgeRecipient
{
    private const string Hrp = "age";

    public AgeRecipient(byte[] publicKey)
    {
        if (publicKey.Length != X25519.PointSize) throw new ArgumentException("an X25519 public key is 32 bytes");
        PublicKey = publicKey;
    }

    public byte[] PublicKey { get; }

    public override string ToString() => Bech32.Encode(Hrp, PublicKey);

    public override bool Equals(object? obj) => obj is AgeRecipient other && other.PublicKey.AsSpan().SequenceEqual(PublicKey);
    public override int GetHashCode() => BitConverter.ToInt32(PublicKey, 0);

    public static AgeRecipient Parse(string text)
    {
        text = text.Trim();
        if (text.StartsWith("age1pq1", StringComparison.Ordinal))
            throw new BuildFailure($"age recipient '{Abbreviate(text)}' is a post-quantum (ML-KEM) key; only X25519 recipients (age1…) are supported.");
        try
        {
            var (hrp, data) = Bech32.Decode(text);
            if (hrp != Hrp || data.Length != 32) throw new FormatException();
            return new AgeRecipient(data);
        }
        catch (FormatException)
        {
            throw new BuildFailure($"'{Abbreviate(text)}' is not an age X25519 recipient (age1… from age-keygen -y); ssh and plugin recipients are not supported.");
        }
    }

    public static string Abbreviate(string text) => text.Length > 20 ? text[..16] + "…" : text;
}

/// <summary>An age X25519 identity: the secret key, written AGE-SECRET-KEY-1…</summary>
sealed class AgeIdentity
{
    private const string Hrp = "age-secret-key-";
    private readonly byte[] _secretKey;

    public AgeIdentity(byte[] secretKey)
    {
        if (secretKey.Length != X25519.ScalarSize) throw new ArgumentException("an X25519 secret key is 32 bytes");
        _secretKey = secretKey;
        var publicKey = new byte[X25519.PointSize];
        X25519.ScalarMultBase(secretKey, 0, publicKey, 0);
        Recipient = new AgeRecipient(publicKey);
    }

    public AgeRecipient Recipient { get; }

    public static AgeIdentity Generate() => new(RandomNumberGenerator.GetBytes(X25519.ScalarSize));

    /// <summary>The identity as age-keygen writes it (AGE-SECRET-KEY-1… upper case).</summary>
    public string Export() => Bech32.Encode(Hrp, _secretKey, upper: true);

    public static bool TryParse(string text, out AgeIdentity? identity)
    {
        identity = null;
        try
        {
            var (hrp, data) = Bech32.Decode(text.Trim());
            if (hrp != Hrp || data.Length != 32) return false;
            identity = new AgeIdentity(data);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>X25519(secret, share); null for a low-order share (an all-zero result, which age rejects).</summary>
    public byte[]? SharedSecret(byte[] share)
    {
        var shared = new byte[X25519.PointSize];
        X25519.ScalarMult(_secretKey, 0, share, 0, shared, 0);
        return shared.All(b => b == 0) ? null : shared;
    }
}
