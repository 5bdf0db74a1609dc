using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace AccoReboot.Deploy.Remote;

/// <summary>A host key as pinned: its algorithm, its public key (base64, as known_hosts writes it) and SHA256 fingerprint.</summary>
sealed record HostKey(string Algorithm, string PublicKeyBase64)
{
    /// <summary>SHA256:… as ssh-keygen -l prints it (unpadded base64 of the key blob's SHA-256).</summary>
    public string Fingerprint => "SHA256:" + Convert.ToBase64String(SHA256.HashData(Convert.FromBase64String(PublicKeyBase64))).TrimEnd('=');

    public string KnownHostsLine(string host, int port) => $"{(port == 22 ? host : $"[{host}]:{port}")} {Algorithm} {PublicKeyBase64}";
}

/// <summary>
/// Where a host key can be trusted from at first contact: the fingerprints cloud-init prints on the instance's
/// console (which only the cloud account can read), or a known_hosts file.
/// </summary>
static partial class HostKeyPin
{
    /// <summary>The SHA256 fingerprints between cloud-init's BEGIN/END SSH HOST KEY FINGERPRINTS lines.</summary>
    public static IReadOnlySet<string> FingerprintsFromConsole(string console)
    {
        var block = Block().Match(console);
        if (!block.Success) return new HashSet<string>();
        return Fingerprint().Matches(block.Groups["body"].Value).Select(m => m.Value).ToHashSet();
    }

    /// <summary>The keys a known_hosts file lists for a host (hashed entries are not read).</summary>
    public static IReadOnlyList<HostKey> FromKnownHosts(string content, string host, int port)
    {
        var name = port == 22 ? host : $"[{host}]:{port}";
        return content.Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(p => p.Length >= 3 && p[0].Split(',').Contains(name))
            .Select(p => new HostKey(p[1], p[2]))
            .ToList();
    }

    [GeneratedRegex(@"-----BEGIN SSH HOST KEY FINGERPRINTS-----(?<body>.*?)-----END SSH HOST KEY FINGERPRINTS-----", RegexOptions.Singleline)]
    private static partial Regex Block();

    [GeneratedRegex(@"SHA256:[A-Za-z0-9+/]{43}")]
    private static partial Regex Fingerprint();
}
