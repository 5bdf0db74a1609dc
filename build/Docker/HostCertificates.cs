using BuildEngine;

namespace AccoReboot.Docker;

/// <summary>
/// The CA certificates this machine trusts beyond the operating system's own (a TLS-inspecting proxy's, a company
/// CA): what npm inside the image build must trust too, or `npm ci` meets SELF_SIGNED_CERT_IN_CHAIN. Read from
/// NODE_EXTRA_CA_CERTS and SSL_CERT_FILE (unless they name the system bundle, whose additions are the next source),
/// the system's added certificates (/usr/local/share/ca-certificates, Debian's update-ca-certificates), and
/// --build-ca-file. The result is ordered and deduplicated, so the same machine gives the same build argument and
/// Docker's cache holds.
/// </summary>
static class HostCertificates
{
    private static readonly string[] SystemBundles = ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem"];
    private const string AddedCertificates = "/usr/local/share/ca-certificates";

    public static string? Collect(IProcessEnvironment environment, string? explicitFile, string addedDirectory = AddedCertificates)
    {
        var files = new List<string>();
        if (explicitFile != null)
        {
            if (!File.Exists(explicitFile)) throw new BuildFailure($"--build-ca-file {explicitFile} does not exist.");
            files.Add(explicitFile);
        }
        foreach (var variable in new[] { "NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE" })
            if (environment.GetVariable(variable) is { Length: > 0 } file && File.Exists(file) && !SystemBundles.Contains(Path.GetFullPath(file)))
                files.Add(file);
        if (Directory.Exists(addedDirectory))
            files.AddRange(Directory.EnumerateFiles(addedDirectory, "*.crt", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
        var certificates = files.SelectMany(file => Pem(File.ReadAllText(file))).Distinct().ToList();
        return certificates.Count == 0 ? null : string.Join("\n", certificates) + "\n";
    }

    /// <summary>The PEM certificate blocks of a text, each normalized to \n line ends.</summary>
    public static IEnumerable<string> Pem(string text)
    {
        const string begin = "-----BEGIN CERTIFICATE-----", end = "-----END CERTIFICATE-----";
        text = text.Replace("\r\n", "\n");
        for (var start = text.IndexOf(begin, StringComparison.Ordinal); start >= 0; start = text.IndexOf(begin, start + begin.Length, StringComparison.Ordinal))
        {
            var stop = text.IndexOf(end, start, StringComparison.Ordinal);
            if (stop < 0) yield break;
            yield return text[start..(stop + end.Length)];
        }
    }
}
