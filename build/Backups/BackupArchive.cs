using System.Formats.Tar;
using System.Globalization;
using System.Text;
using BuildEngine;

namespace AccoReboot.Backups;

/// <summary>One table of a backup, as its manifest lists it.</summary>
sealed record BackupTable(string Name, long Rows, int Chunks)
{
    public string Describe() => $"{Name} {Rows.ToString("N0", CultureInfo.InvariantCulture)}" + (Chunks > 0 ? $" ({Chunks} chunk{(Chunks == 1 ? "" : "s")})" : "");
}

/// <summary>
/// What a backup's tar holds (DatabaseDumpScripts writes it), read without opening the database: the tables with
/// their row counts (COPY's text format has one line per row), the server's and TimescaleDB's versions.
/// </summary>
sealed record BackupArchive(IReadOnlyList<BackupTable> Tables, string ServerVersion, string? TimescaleDbVersion)
{
    public long Rows => Tables.Sum(t => t.Rows);

    public static BackupArchive Read(byte[] tar)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        try
        {
            using var reader = new TarReader(new MemoryStream(tar));
            while (reader.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile)) continue;
                using var content = new MemoryStream();
                entry.DataStream?.CopyTo(content); // an empty file has no data stream
                files[entry.Name.StartsWith("./", StringComparison.Ordinal) ? entry.Name[2..] : entry.Name] = content.ToArray();
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new BuildFailure($"The database dump is not a tar archive ({e.Message}): the db-tools container printed something else on its stdout.");
        }
        if (files.Count == 0)
            throw new BuildFailure("The database dump is not a tar archive (no file in it): the db-tools container printed something else on its stdout.");
        if (!files.TryGetValue("tables.tsv", out var list) || !files.TryGetValue("server.txt", out var server))
            throw new BuildFailure("The database dump lacks tables.tsv or server.txt: it was not made by Backup's script.");
        var tables = new List<BackupTable>();
        foreach (var line in Encoding.UTF8.GetString(list).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split('\t');
            if (fields.Length < 5) throw new BuildFailure($"The database dump's tables.tsv has a line of {fields.Length} fields, not 5: '{line}'.");
            var rows = files.TryGetValue($"{fields[0]}.copy", out var copy) ? copy.LongCount(b => b == (byte)'\n') : 0;
            tables.Add(new BackupTable(Unquote(fields[1]), rows, int.Parse(fields[4], CultureInfo.InvariantCulture)));
        }
        var versions = Encoding.UTF8.GetString(server).Split('\n');
        return new BackupArchive(tables, versions[0].Trim(), versions.Length > 1 && versions[1].Trim().Length > 0 ? versions[1].Trim() : null);
    }

    private static string Unquote(string identifier) =>
        identifier.Length > 1 && identifier[0] == '"' && identifier[^1] == '"' ? identifier[1..^1].Replace("\"\"", "\"") : identifier;
}
