using Amazon.Runtime;

namespace AccoReboot.State;

/// <summary>
/// S3 keys that are still being decrypted: the SDK asks for them only when it signs, after it has marshalled the
/// request and resolved its endpoint. A run so sends its first S3 request while the credentials are decrypted and
/// signs it the moment they are ready, instead of paying the SDK's first-request setup (about 0.1 s of
/// compilation on these machines) after the decryption.
/// </summary>
sealed class DeferredS3Credentials(Task<(string AccessKey, string SecretKey)> keys) : AWSCredentials
{
    public override ImmutableCredentials GetCredentials() => Immutable(keys.GetAwaiter().GetResult());

    public override async Task<ImmutableCredentials> GetCredentialsAsync() => Immutable(await keys.ConfigureAwait(false));

    private static ImmutableCredentials Immutable((string AccessKey, string SecretKey) keys) => new(keys.AccessKey, keys.SecretKey, null);
}
