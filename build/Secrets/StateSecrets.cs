using AccoReboot.Secrets.Age;
using BuildEngine;

namespace AccoReboot.Secrets;

/// <summary>
/// Seals the secrets the state keeps (the database password, the API's JWT keys) to the recipients of the
/// environment's credentials file, and opens them with the user's age identities: whoever can open that file can
/// open them, and nobody else.
/// </summary>
sealed class StateSecrets(string environment, string credentialsFile, Func<SopsConfig> config, SopsDotenvStore store, CancellationToken cancellationToken)
{
    /// <summary>The first line of a sealed value: whom it is sealed to (age's header does not say), so that SopsUpdateKeys can tell who could open it.</summary>
    public const string SealedToPrefix = "# sealed to: ";

    public Task<string> SealAsync(string secret) => Task.FromResult(Seal(secret, config().RecipientsFor(credentialsFile)));

    private static string Seal(string secret, IReadOnlyCollection<AgeRecipient> recipients) =>
        SealedToPrefix + string.Join(",", recipients.Select(r => r.ToString()).Order(StringComparer.Ordinal)) + "\n" +
        AgeArmor.Wrap(AgeFile.Encrypt(System.Text.Encoding.UTF8.GetBytes(secret), recipients));

    /// <summary>Whom a sealed value was sealed to; null for a value sealed before the build wrote it down.</summary>
    public static IReadOnlyList<string>? SealedTo(string sealedSecret) =>
        sealedSecret.StartsWith(SealedToPrefix, StringComparison.Ordinal)
            ? sealedSecret[SealedToPrefix.Length..sealedSecret.IndexOf('\n')].Split(',', StringSplitOptions.RemoveEmptyEntries)
            : null;

    public static bool IsSealed(string value) => value.StartsWith(SealedToPrefix, StringComparison.Ordinal) || value.StartsWith("-----BEGIN AGE ENCRYPTED FILE-----", StringComparison.Ordinal);

    /// <summary>The value opened and sealed again to the file's recipients of today; who could open it before and cannot now.</summary>
    public async Task<(string resealed, IReadOnlyList<string>? removed)> ResealAsync(string sealedSecret)
    {
        var recipients = config().RecipientsFor(credentialsFile);
        var before = SealedTo(sealedSecret);
        var open = await UnsealAsync(sealedSecret);
        var now = recipients.Select(r => r.ToString()).ToHashSet();
        return (Seal(open, recipients), before?.Where(r => !now.Contains(r)).ToList());
    }

    public async Task<string> UnsealAsync(string sealedSecret)
    {
        var identities = await store.IdentitiesAsync(cancellationToken);
        var armored = sealedSecret.StartsWith(SealedToPrefix, StringComparison.Ordinal) ? sealedSecret[(sealedSecret.IndexOf('\n') + 1)..] : sealedSecret;
        try
        {
            return System.Text.Encoding.UTF8.GetString(AgeFile.Decrypt(AgeArmor.Unwrap(armored), identities));
        }
        catch (AgeFile.NoMatchingIdentity)
        {
            throw new BuildFailure($"The secrets in the state of {environment} (the database password, the API's JWT keys) are sealed to the recipients of {credentialsFile}, and none of your age identities is one of them: ask for access (SopsUpdateKeys), or run Apply to reset the password.");
        }
    }

    /// <summary>Encrypts a file's bytes (a backup) to the same recipients; returns them with how many there are.</summary>
    public (byte[] encrypted, int recipients) Encrypt(byte[] plaintext)
    {
        var recipients = config().RecipientsFor(credentialsFile);
        return (AgeFile.Encrypt(plaintext, recipients), recipients.Count);
    }

    public async Task<byte[]> DecryptAsync(byte[] encrypted, string what)
    {
        var identities = await store.IdentitiesAsync(cancellationToken);
        try
        {
            return AgeFile.Decrypt(encrypted, identities);
        }
        catch (AgeFile.NoMatchingIdentity)
        {
            throw new BuildFailure($"{what} is encrypted to the recipients of {credentialsFile} on the day it was made, and none of your age identities is one of them: it takes a key that was a recipient then.");
        }
    }
}
