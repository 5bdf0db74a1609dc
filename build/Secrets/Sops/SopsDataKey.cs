using System.Security.Cryptography;
using AccoReboot.Secrets.Age;
using BuildEngine;

namespace AccoReboot.Secrets.Sops;

/// <summary>The 32-byte data key of a SOPS file, wrapped once per age recipient.</summary>
static class SopsDataKey
{
    public static byte[] New() => RandomNumberGenerator.GetBytes(32);

    public static List<SopsAgeKey> Wrap(byte[] dataKey, IEnumerable<AgeRecipient> recipients) =>
        recipients.Select(r => new SopsAgeKey(r.ToString(), AgeArmor.Wrap(AgeFile.Encrypt(dataKey, [r])))).ToList();

    public static byte[] Unwrap(SopsMetadata metadata, IReadOnlyCollection<AgeIdentity> identities, string fileName)
    {
        if (metadata.AgeKeys.Count == 0)
        {
            var kinds = metadata.OtherKeySources.Keys.Select(k => k.Split("__")[0]).Distinct().ToList();
            throw new BuildFailure($"{fileName}: its data key is wrapped only for {(kinds.Count > 0 ? string.Join(", ", kinds) : "nothing")}; this build supports age X25519 recipients (age1…) — add one with sops updatekeys, or ask for access.");
        }
        if (identities.Count == 0)
            throw new BuildFailure($"{fileName}: no age identity found. Set SOPS_AGE_KEY, SOPS_AGE_KEY_FILE or SOPS_AGE_KEY_CMD, or put your key in {AgeIdentitySources.UserKeysFileDescription}.");
        foreach (var key in metadata.AgeKeys)
        {
            try
            {
                var dataKey = AgeFile.Decrypt(AgeArmor.Unwrap(key.Enc), identities);
                if (dataKey.Length != 32) throw new BuildFailure($"{fileName}: the age-wrapped data key has {dataKey.Length} bytes, not 32.");
                return dataKey;
            }
            catch (AgeFile.NoMatchingIdentity)
            {
            }
        }
        var yours = string.Join(", ", identities.Select(i => i.Recipient.ToString()));
        var recipients = string.Join(", ", metadata.AgeKeys.Select(k => k.Recipient));
        throw new BuildFailure($"{fileName}: none of your age identities ({yours}) is among its recipients ({recipients}). Ask someone with access to add your public key to .sops.yaml and run ./build.sh SopsUpdateKeys.");
    }
}
