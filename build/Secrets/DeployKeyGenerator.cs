using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Utilities;
using Org.BouncyCastle.Security;

namespace AccoReboot.Secrets;

/// <summary>
/// A new ed25519 deploy key in OpenSSH's formats (what ssh-keygen -t ed25519 -N '' writes), made in this process so
/// the private half never touches a file or a child process's arguments.
/// </summary>
static class DeployKeyGenerator
{
    public static DeployKey New(string comment)
    {
        var generator = new Ed25519KeyPairGenerator();
        generator.Init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        var pair = generator.GenerateKeyPair();
        // openssh-key-v1, unencrypted (PROTOCOL.key in OpenSSH's sources); PEM-armoured with 70-column lines as ssh-keygen does
        var blob = Convert.ToBase64String(OpenSshPrivateKeyUtilities.EncodePrivateKey(pair.Private));
        var lines = Enumerable.Range(0, (blob.Length + 69) / 70).Select(i => blob.Substring(i * 70, Math.Min(70, blob.Length - i * 70)));
        var privateKey = "-----BEGIN OPENSSH PRIVATE KEY-----\n" + string.Join("\n", lines) + "\n-----END OPENSSH PRIVATE KEY-----\n";
        var publicKey = $"ssh-ed25519 {Convert.ToBase64String(OpenSshPublicKeyUtilities.EncodePublicKey((Ed25519PublicKeyParameters)pair.Public))} {comment}";
        return new DeployKey(privateKey, publicKey);
    }
}
