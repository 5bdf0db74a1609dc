using System.Security.Cryptography;
using System.Text;
using BuildEngine;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;

namespace AccoReboot.Secrets.Age;

/// <summary>
/// The age v1 file format (age-encryption.org/v1) with X25519 recipients: enough to wrap and unwrap a SOPS data key,
/// interoperable with the age CLI. Spec: C2SP age.md.
/// </summary>
static class AgeFile
{
    private const string Intro = "age-encryption.org/v1";
    private const string X25519Label = "age-encryption.org/v1/X25519";
    private const int FileKeySize = 16;
    private const int ChunkSize = 64 * 1024;
    private const int TagSize = 16;

    public static byte[] Encrypt(byte[] plaintext, IReadOnlyCollection<AgeRecipient> recipients)
    {
        if (recipients.Count == 0) throw new ArgumentException("at least one recipient");
        var fileKey = RandomNumberGenerator.GetBytes(FileKeySize);
        var header = new StringBuilder(Intro).Append('\n');
        foreach (var recipient in recipients)
        {
            var ephemeral = AgeIdentity.Generate();
            var share = ephemeral.Recipient.PublicKey;
            var shared = ephemeral.SharedSecret(recipient.PublicKey) ?? throw new BuildFailure("an age recipient is a low-order point.");
            var wrapKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, shared, 32, [.. share, .. recipient.PublicKey], Encoding.ASCII.GetBytes(X25519Label));
            var body = Seal(wrapKey, new byte[12], fileKey);
            header.Append("-> X25519 ").Append(RawBase64(share)).Append('\n');
            AppendWrapped(header, RawBase64(body));
        }
        header.Append("---");
        var mac = HeaderMac(fileKey, Encoding.ASCII.GetBytes(header.ToString()));
        header.Append(' ').Append(RawBase64(mac)).Append('\n');

        var nonce = RandomNumberGenerator.GetBytes(16);
        var payloadKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, fileKey, 32, nonce, Encoding.ASCII.GetBytes("payload"));
        using var output = new MemoryStream();
        output.Write(Encoding.ASCII.GetBytes(header.ToString()));
        output.Write(nonce);
        var chunks = Math.Max(1, (plaintext.Length + ChunkSize - 1) / ChunkSize);
        for (var i = 0; i < chunks; i++)
        {
            var chunk = plaintext.AsSpan(i * ChunkSize, Math.Min(ChunkSize, plaintext.Length - i * ChunkSize)).ToArray();
            output.Write(Seal(payloadKey, ChunkNonce(i, last: i == chunks - 1), chunk));
        }
        return output.ToArray();
    }

    public static byte[] Decrypt(byte[] file, IReadOnlyCollection<AgeIdentity> identities)
    {
        var (stanzas, headerForMac, mac, payloadStart) = ParseHeader(file);
        var unsupported = stanzas.Where(s => s.Type != "X25519").Select(s => s.Type).Distinct().ToList();
        if (stanzas.All(s => s.Type != "X25519"))
            throw new BuildFailure($"the age data is encrypted for {string.Join(", ", unsupported)} only; supported: X25519 recipients (age1…).");

        byte[]? fileKey = null;
        foreach (var stanza in stanzas.Where(s => s.Type == "X25519"))
        {
            if (stanza.Arguments.Length != 1) throw new BuildFailure("malformed age X25519 stanza.");
            var share = FromRawBase64(stanza.Arguments[0]);
            if (share.Length != 32 || stanza.Body.Length != FileKeySize + TagSize) throw new BuildFailure("malformed age X25519 stanza.");
            foreach (var identity in identities)
            {
                var shared = identity.SharedSecret(share);
                if (shared == null) throw new BuildFailure("the age X25519 stanza has a low-order share.");
                var wrapKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, shared, 32, [.. share, .. identity.Recipient.PublicKey], Encoding.ASCII.GetBytes(X25519Label));
                fileKey = Open(wrapKey, new byte[12], stanza.Body);
                if (fileKey != null) break;
            }
            if (fileKey != null) break;
        }
        if (fileKey == null) throw new NoMatchingIdentity();
        if (!CryptographicOperations.FixedTimeEquals(HeaderMac(fileKey, headerForMac), mac))
            throw new BuildFailure("the age header MAC does not match: the data was tampered with.");

        var payload = file.AsSpan(payloadStart);
        if (payload.Length < 16 + TagSize) throw new BuildFailure("the age payload is truncated.");
        var payloadKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, fileKey, 32, payload[..16].ToArray(), Encoding.ASCII.GetBytes("payload"));
        var ciphertext = payload[16..];
        using var output = new MemoryStream();
        var sealedChunk = ChunkSize + TagSize;
        for (var i = 0; ; i++)
        {
            var start = i * sealedChunk;
            var last = ciphertext.Length - start <= sealedChunk;
            var chunk = ciphertext.Slice(start, last ? ciphertext.Length - start : sealedChunk).ToArray();
            var plain = Open(payloadKey, ChunkNonce(i, last), chunk) ?? throw new BuildFailure("the age payload does not decrypt: the data was tampered with.");
            if (last && plain.Length == 0 && i > 0) throw new BuildFailure("the age payload ends with an empty chunk.");
            output.Write(plain);
            if (last) break;
        }
        return output.ToArray();
    }

    /// <summary>Raised when none of the identities can open any stanza: the caller knows which file it was.</summary>
    public sealed class NoMatchingIdentity() : BuildFailure("no identity matches any recipient of the age data.");

    private sealed record Stanza(string Type, string[] Arguments, byte[] Body);

    private static (List<Stanza> stanzas, byte[] headerForMac, byte[] mac, int payloadStart) ParseHeader(byte[] file)
    {
        var position = 0;
        string ReadLine()
        {
            var end = Array.IndexOf(file, (byte)'\n', position);
            if (end < 0) throw new BuildFailure("the age header is truncated.");
            var line = Encoding.ASCII.GetString(file, position, end - position);
            position = end + 1;
            return line;
        }

        if (ReadLine() != Intro) throw new BuildFailure("not an age v1 file (or an unsupported age version).");
        var stanzas = new List<Stanza>();
        while (true)
        {
            var lineStart = position;
            var line = ReadLine();
            if (line.StartsWith("--- ", StringComparison.Ordinal))
            {
                var headerForMac = file.AsSpan(0, lineStart + 3).ToArray();
                return (stanzas, headerForMac, FromRawBase64(line[4..]), position);
            }
            if (!line.StartsWith("-> ", StringComparison.Ordinal)) throw new BuildFailure("malformed age header line.");
            var parts = line[3..].Split(' ');
            if (parts.Any(p => p.Length == 0)) throw new BuildFailure("malformed age stanza.");
            var body = new StringBuilder();
            while (true)
            {
                var bodyLine = ReadLine();
                if (bodyLine.Length > 64) throw new BuildFailure("malformed age stanza body.");
                body.Append(bodyLine);
                if (bodyLine.Length < 64) break;
            }
            stanzas.Add(new Stanza(parts[0], parts[1..], FromRawBase64(body.ToString())));
        }
    }

    private static byte[] HeaderMac(byte[] fileKey, byte[] header)
    {
        var key = HKDF.DeriveKey(HashAlgorithmName.SHA256, fileKey, 32, [], Encoding.ASCII.GetBytes("header"));
        return HMACSHA256.HashData(key, header);
    }

    private static byte[] ChunkNonce(int counter, bool last)
    {
        var nonce = new byte[12];
        for (var i = 0; i < 8; i++) nonce[10 - i] = (byte)((long)counter >> (8 * i));
        nonce[11] = last ? (byte)1 : (byte)0;
        return nonce;
    }

    private static byte[] Seal(byte[] key, byte[] nonce, byte[] plaintext)
    {
        var cipher = new Org.BouncyCastle.Crypto.Modes.ChaCha20Poly1305();
        cipher.Init(true, new AeadParameters(new KeyParameter(key), TagSize * 8, nonce));
        var output = new byte[cipher.GetOutputSize(plaintext.Length)];
        var length = cipher.ProcessBytes(plaintext, 0, plaintext.Length, output, 0);
        cipher.DoFinal(output, length);
        return output;
    }

    private static byte[]? Open(byte[] key, byte[] nonce, byte[] ciphertext)
    {
        if (ciphertext.Length < TagSize) return null;
        var cipher = new Org.BouncyCastle.Crypto.Modes.ChaCha20Poly1305();
        cipher.Init(false, new AeadParameters(new KeyParameter(key), TagSize * 8, nonce));
        var output = new byte[cipher.GetOutputSize(ciphertext.Length)];
        try
        {
            var length = cipher.ProcessBytes(ciphertext, 0, ciphertext.Length, output, 0);
            length += cipher.DoFinal(output, length);
            return output[..length];
        }
        catch (Org.BouncyCastle.Crypto.InvalidCipherTextException)
        {
            return null;
        }
    }

    private static void AppendWrapped(StringBuilder text, string base64)
    {
        // lines of 64 columns; the last line is shorter, and empty when the length is a multiple of 64
        for (var i = 0; i <= base64.Length; i += 64)
            text.Append(base64.AsSpan(i, Math.Min(64, base64.Length - i))).Append('\n');
    }

    private static string RawBase64(byte[] data) => Convert.ToBase64String(data).TrimEnd('=');

    private static byte[] FromRawBase64(string text)
    {
        if (text.Contains('=') || text.Length % 4 == 1) throw new BuildFailure("age base64 must be unpadded.");
        try
        {
            var bytes = Convert.FromBase64String(text + new string('=', (4 - text.Length % 4) % 4));
            // canonical: re-encoding gives the same text (no stray bits in the last character)
            if (RawBase64(bytes) != text) throw new BuildFailure("age base64 is not canonical.");
            return bytes;
        }
        catch (FormatException)
        {
            throw new BuildFailure("age header has invalid base64.");
        }
    }
}
