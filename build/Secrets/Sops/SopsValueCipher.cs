using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using BuildEngine;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;

namespace AccoReboot.Secrets.Sops;

/// <summary>
/// One SOPS value: ENC[AES256_GCM,data:…,iv:…,tag:…,type:str]. AES-256-GCM with a 32-byte IV, which .NET's AesGcm
/// cannot take (12-byte nonces only), hence BouncyCastle. The additional data binds the value to its key ("KEY:").
/// </summary>
static partial class SopsValueCipher
{
    private const int IvSize = 32;
    private const int TagSize = 16;

    public static bool IsEncrypted(string value) => value.StartsWith("ENC[AES256_GCM,", StringComparison.Ordinal);

    public static string Encrypt(string plaintext, byte[] dataKey, string additionalData, string type = "str")
    {
        if (plaintext.Length == 0) return ""; // sops never encrypts an empty value
        var iv = RandomNumberGenerator.GetBytes(IvSize);
        var cipher = Cipher(true, dataKey, iv, additionalData);
        var input = Encoding.UTF8.GetBytes(plaintext);
        var output = new byte[cipher.GetOutputSize(input.Length)];
        var length = cipher.ProcessBytes(input, 0, input.Length, output, 0);
        length += cipher.DoFinal(output, length);
        var data = output[..(length - TagSize)];
        var tag = output[(length - TagSize)..length];
        return $"ENC[AES256_GCM,data:{Convert.ToBase64String(data)},iv:{Convert.ToBase64String(iv)},tag:{Convert.ToBase64String(tag)},type:{type}]";
    }

    /// <summary>Decrypts, or returns null when the value does not authenticate (wrong key, tampered data, IV, tag or additional data).</summary>
    public static string? Decrypt(string value, byte[] dataKey, string additionalData)
    {
        if (value.Length == 0) return "";
        var match = Format().Match(value);
        if (!match.Success) throw new BuildFailure("malformed ENC[…] value.");
        byte[] data, iv, tag;
        try
        {
            data = Convert.FromBase64String(match.Groups["data"].Value);
            iv = Convert.FromBase64String(match.Groups["iv"].Value);
            tag = Convert.FromBase64String(match.Groups["tag"].Value);
        }
        catch (FormatException)
        {
            return null;
        }
        if (iv.Length != IvSize || tag.Length != TagSize) return null;
        var cipher = Cipher(false, dataKey, iv, additionalData);
        byte[] input = [.. data, .. tag];
        var output = new byte[cipher.GetOutputSize(input.Length)];
        try
        {
            var length = cipher.ProcessBytes(input, 0, input.Length, output, 0);
            length += cipher.DoFinal(output, length);
            return Encoding.UTF8.GetString(output, 0, length);
        }
        catch (InvalidCipherTextException)
        {
            return null;
        }
    }

    public static string TypeOf(string value) => Format().Match(value) is { Success: true } m ? m.Groups["type"].Value : "str";

    private static GcmBlockCipher Cipher(bool encrypt, byte[] key, byte[] iv, string additionalData)
    {
        var cipher = new GcmBlockCipher(new AesEngine());
        cipher.Init(encrypt, new AeadParameters(new KeyParameter(key), TagSize * 8, iv, Encoding.UTF8.GetBytes(additionalData)));
        return cipher;
    }

    [GeneratedRegex(@"^ENC\[AES256_GCM,data:(?<data>[^,]*),iv:(?<iv>[^,]+),tag:(?<tag>[^,]+),type:(?<type>[a-z]+)\]$")]
    private static partial Regex Format();
}
