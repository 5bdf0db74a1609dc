using System.Security.Cryptography;
using System.Text;

namespace AccoReboot.Deploy;

/// <summary>One rendered file of a release and its mode on the host.</summary>
sealed record ReleaseFile(string Path, string Content, int Mode = 0b110_100_100) // 0644
{
    public bool IsPrivate => Mode == 0b110_000_000; // 0600
}

/// <summary>
/// The rendered files of a release. Its content hash decides whether a deploy has anything to do; the release id
/// (time and hash) names its directory on the host.
/// </summary>
sealed class ReleaseFiles(IReadOnlyList<ReleaseFile> files)
{
    public IReadOnlyList<ReleaseFile> Files { get; } = files.OrderBy(f => f.Path, StringComparer.Ordinal).ToList();

    public string ContentHash { get; } = Hash(files);

    public ReleaseFile this[string path] => Files.Single(f => f.Path == path);

    public string NewReleaseId(DateTimeOffset now) => $"{now.UtcDateTime:yyyyMMdd-HHmmss}-{ContentHash[..8]}";

    public static string Hash(IEnumerable<ReleaseFile> files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in files.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{file.Path}\0{Convert.ToString(file.Mode, 8)}\0"));
            hash.AppendData(Encoding.UTF8.GetBytes(file.Content));
            hash.AppendData([0]);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }
}
