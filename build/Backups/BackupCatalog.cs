using System.Globalization;
using System.Text.RegularExpressions;
using BuildEngine;

namespace AccoReboot.Backups;

/// <summary>What Backup records beside the encrypted archive (no secret in it): enough to choose one to restore.</summary>
sealed record BackupManifest(
    string Id,
    string Environment,
    DateTimeOffset CreatedAt,
    string By,
    string? Release,
    string ServerVersion,
    string? TimescaleDbVersion,
    IReadOnlyList<BackupTable> Tables,
    long EncryptedBytes,
    string Sha256)
{
    public long Rows => Tables.Sum(t => t.Rows);
}

/// <summary>
/// Names and keeps backups: an id is the UTC time it was taken (sortable), its objects sit in the environment's
/// bucket under &lt;env&gt;/backups/, and retention keeps the newest N. Pure, tested without S3.
/// </summary>
static partial class BackupCatalog
{
    public const string Archive = ".tar.age";
    public const string Manifest = ".json";

    public static string NewId(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMdd'-'HHmmss", CultureInfo.InvariantCulture);

    public static string Prefix(string environment) => $"{environment}/backups/";

    public static string ArchiveKey(string environment, string id) => Prefix(environment) + id + Archive;

    public static string ManifestKey(string environment, string id) => Prefix(environment) + id + Manifest;

    /// <summary>The id of a key under the prefix, or null for anything else found there.</summary>
    public static string? IdOf(string environment, string key)
    {
        if (!key.StartsWith(Prefix(environment), StringComparison.Ordinal) || !key.EndsWith(Manifest, StringComparison.Ordinal)) return null;
        var id = key[Prefix(environment).Length..^Manifest.Length];
        return IdPattern().IsMatch(id) ? id : null;
    }

    /// <summary>The backup --backup names (checked), or the newest; a clear line when there is none.</summary>
    public static string Choose(IReadOnlyCollection<string> ids, string? requested, string environment)
    {
        if (requested != null)
        {
            if (!IdPattern().IsMatch(requested))
                throw new BuildFailure($"--backup {requested}: a backup id is the UTC time it was taken, like 20261202-184501 (Backups --env {environment} lists them).");
            if (!ids.Contains(requested))
                throw new BuildFailure($"--backup {requested}: {environment} has no such backup (Backups --env {environment} lists {ids.Count}).");
            return requested;
        }
        return ids.Count > 0 ? ids.Max(StringComparer.Ordinal)! : throw new BuildFailure($"{environment} has no backup yet: run Backup --env {environment} first.");
    }

    /// <summary>The backups beyond the newest <paramref name="keep"/>, oldest first: what retention deletes.</summary>
    public static IReadOnlyList<string> Expired(IEnumerable<string> ids, int keep)
    {
        if (keep < 1) throw new BuildFailure($"--keep-backups {keep}: keep at least 1 backup.");
        return ids.OrderByDescending(id => id, StringComparer.Ordinal).Skip(keep).OrderBy(id => id, StringComparer.Ordinal).ToList();
    }

    [GeneratedRegex(@"^\d{8}-\d{6}$")]
    private static partial Regex IdPattern();
}
