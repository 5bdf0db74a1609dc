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
    public Task<string> SealAsync(string secret)
    {
        var recipients = config().RecipientsFor(credentialsFile);
        return Task.FromResult(AgeArmor.Wrap(AgeFile.Encrypt(System.Text.Encoding.UTF8.GetBytes(secret), recipients)));
    }

    public async Task<string> UnsealAsync(string sealedSecret)
    {
        var identities = await store.IdentitiesAsync(cancellationToken);
        try
        {
            return System.Text.Encoding.UTF8.GetString(AgeFile.Decrypt(AgeArmor.Unwrap(sealedSecret), identities));
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
