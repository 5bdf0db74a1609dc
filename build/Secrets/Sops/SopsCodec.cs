using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using BuildEngine;

namespace AccoReboot.Secrets.Sops;

/// <summary>
/// Turns a SOPS dotenv file into plaintext and back, given its data key. The MAC (SHA-512 over the plaintext
/// values in file order, upper-case hex, encrypted with sops_lastmodified as additional data) is checked on the
/// way in, so any tampering refuses the file.
/// </summary>
static class SopsCodec
{
    // sops.MACOnlyEncryptedInitialization: sha256("sops"), hashed first when only encrypted values count
    private static readonly byte[] MacOnlyEncryptedInitialization = SHA256.HashData("sops"u8.ToArray());

    public static DotenvDocument Decrypt(SopsDotenvFile file, byte[] dataKey, string fileName)
    {
        var metadata = file.Metadata;
        var items = new List<DotenvItem>();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        if (metadata.MacOnlyEncrypted) hash.AppendData(MacOnlyEncryptedInitialization);
        foreach (var item in file.Items)
        {
            if (item.IsComment)
            {
                // an encrypted comment opens with the empty path (":"); one that does not was never encrypted
                var comment = SopsValueCipher.IsEncrypted(item.Value) ? SopsValueCipher.Decrypt(item.Value, dataKey, ":") ?? item.Value : item.Value;
                items.Add(DotenvItem.Comment(comment));
                continue;
            }
            var encrypted = metadata.ShouldEncrypt(item.Key!);
            var value = encrypted
                ? SopsValueCipher.Decrypt(item.Value, dataKey, item.Key + ":")
                  ?? throw new BuildFailure($"{fileName}: the value of {item.Key!.Trim()} does not decrypt: it was tampered with, or encrypted with another data key.")
                : item.Value;
            if (encrypted || !metadata.MacOnlyEncrypted) hash.AppendData(Encoding.UTF8.GetBytes(value));
            items.Add(DotenvItem.Entry(item.Key!, value));
        }
        var expected = Convert.ToHexString(hash.GetHashAndReset());
        var stored = SopsValueCipher.Decrypt(metadata.Mac, dataKey, metadata.LastModified);
        if (stored == null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(stored), Encoding.ASCII.GetBytes(expected)))
            throw new BuildFailure($"{fileName}: the MAC does not match its content (sops_mac / sops_lastmodified): the file was modified outside SOPS. Refusing it.");
        return new DotenvDocument(items);
    }

    public static SopsDotenvFile Encrypt(DotenvDocument document, byte[] dataKey, SopsMetadata template, DateTimeOffset now)
    {
        var items = new List<DotenvItem>();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        if (template.MacOnlyEncrypted) hash.AppendData(MacOnlyEncryptedInitialization);
        foreach (var item in document.Items)
        {
            if (item.IsComment)
            {
                // comments stay readable: they say what a key is and where to get it (sops reads them either way)
                items.Add(item);
                continue;
            }
            var encrypted = template.ShouldEncrypt(item.Key!);
            if (encrypted || !template.MacOnlyEncrypted) hash.AppendData(Encoding.UTF8.GetBytes(item.Value));
            items.Add(DotenvItem.Entry(item.Key!, encrypted ? SopsValueCipher.Encrypt(item.Value, dataKey, item.Key + ":") : item.Value));
        }
        var lastModified = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var metadata = new SopsMetadata
        {
            AgeKeys = template.AgeKeys,
            LastModified = lastModified,
            Mac = SopsValueCipher.Encrypt(Convert.ToHexString(hash.GetHashAndReset()), dataKey, lastModified),
            UnencryptedSuffix = template.UnencryptedSuffix,
            EncryptedSuffix = template.EncryptedSuffix,
            UnencryptedRegex = template.UnencryptedRegex,
            EncryptedRegex = template.EncryptedRegex,
            MacOnlyEncrypted = template.MacOnlyEncrypted,
            Version = template.Version,
            OtherKeySources = template.OtherKeySources,
        };
        return new SopsDotenvFile(items, metadata);
    }
}
