using System.Security.Cryptography;
using SharpCompress.Common;
using SharpCompress.Writers.Tar;

namespace AccoReboot.Deploy;

/// <summary>The files of a release as one tar.gz (SharpCompress), uploaded in one piece and checked by its SHA-256.</summary>
sealed class ReleaseBundle
{
    // a fixed time: the same release gives the same bytes
    private static readonly DateTime Epoch = new(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private ReleaseBundle(byte[] bytes)
    {
        Bytes = bytes;
        Sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    public byte[] Bytes { get; }
    public string Sha256 { get; }

    public static ReleaseBundle Of(ReleaseFiles release)
    {
        using var output = new MemoryStream();
        using (var writer = new TarWriter(output, new TarWriterOptions(CompressionType.GZip, finalizeArchiveOnClose: true) { LeaveStreamOpen = true }))
            foreach (var file in release.Files)
                writer.Write(file.Path, new MemoryStream(System.Text.Encoding.UTF8.GetBytes(file.Content)), Epoch);
        return new ReleaseBundle(output.ToArray());
    }
}
