using System.Formats.Tar;
using System.Text;
using AccoReboot.Backups;
using AccoReboot.Deploy.Remote;
using BuildEngine;

namespace Tests.Backups;

[Trait("Category", "Unit")]
public class BackupCatalogTests
{
    [Fact]
    public void An_id_is_the_UTC_time_and_sorts_as_time()
    {
        var id = BackupCatalog.NewId(new DateTimeOffset(2026, 12, 2, 19, 4, 5, TimeSpan.FromHours(2)));
        Assert.Equal("20261202-170405", id);
        Assert.Equal("sandbox/backups/20261202-170405.tar.age", BackupCatalog.ArchiveKey("sandbox", id));
        Assert.Equal(id, BackupCatalog.IdOf("sandbox", BackupCatalog.ManifestKey("sandbox", id)));
        // the archive, another environment's key and a stray object are not listed as backups
        Assert.Null(BackupCatalog.IdOf("sandbox", BackupCatalog.ArchiveKey("sandbox", id)));
        Assert.Null(BackupCatalog.IdOf("sandbox", BackupCatalog.ManifestKey("test", id)));
        Assert.Null(BackupCatalog.IdOf("sandbox", "sandbox/backups/notes.json"));
    }

    [Fact]
    public void Restore_takes_the_newest_unless_told_and_checks_what_it_is_told()
    {
        string[] ids = ["20261201-020000", "20261202-020000", "20261130-020000"];
        Assert.Equal("20261202-020000", BackupCatalog.Choose(ids, null, "prod"));
        Assert.Equal("20261130-020000", BackupCatalog.Choose(ids, "20261130-020000", "prod"));
        Assert.Contains("like 20261202-184501", Assert.Throws<BuildFailure>(() => BackupCatalog.Choose(ids, "yesterday", "prod")).Message);
        Assert.Contains("prod has no such backup", Assert.Throws<BuildFailure>(() => BackupCatalog.Choose(ids, "20261129-020000", "prod")).Message);
        Assert.Contains("run Backup --env prod first", Assert.Throws<BuildFailure>(() => BackupCatalog.Choose([], null, "prod")).Message);
    }

    [Fact]
    public void Retention_deletes_the_oldest_beyond_the_number_kept()
    {
        string[] ids = ["20261203-020000", "20261201-020000", "20261204-020000", "20261202-020000"];
        Assert.Equal(["20261201-020000", "20261202-020000"], BackupCatalog.Expired(ids, 2));
        Assert.Empty(BackupCatalog.Expired(ids, 4));
        Assert.Throws<BuildFailure>(() => BackupCatalog.Expired(ids, 0));
    }

    [Fact]
    public void The_archive_counts_each_tables_rows_and_chunks_from_the_dump()
    {
        var tar = Tar(new()
        {
            ["./tables.tsv"] = "1\tapp_users\tid,username\t0\t0\n2\t\"Odd \"\"name\"\"\"\ta\t0\t0\n3\tpositions\tdevice_id,recorded_at\t0\t3\n",
            ["./server.txt"] = "17.6 (Debian 17.6-1)\n2.19.3\n",
            ["./1.copy"] = "u1\talice\nu2\tbob\n",
            ["./2.copy"] = "",
            ["./3.copy"] = "d1\t2026-12-01\nd1\t2026-12-02\nd2\t2026-12-03\n",
        });
        var archive = BackupArchive.Read(tar);
        Assert.Equal([new BackupTable("app_users", 2, 0), new BackupTable("Odd \"name\"", 0, 0), new BackupTable("positions", 3, 3)], archive.Tables);
        Assert.Equal(5, archive.Rows);
        Assert.Equal("17.6 (Debian 17.6-1)", archive.ServerVersion);
        Assert.Equal("2.19.3", archive.TimescaleDbVersion);
        Assert.Equal("positions 3 (3 chunks)", archive.Tables[2].Describe());
    }

    [Fact]
    public void Anything_but_a_dump_is_refused_in_one_line()
    {
        Assert.Contains("not a tar archive", Assert.Throws<BuildFailure>(() => BackupArchive.Read(Encoding.UTF8.GetBytes("psql: error: connection refused\n" + new string('x', 600)))).Message);
        Assert.Contains("lacks tables.tsv", Assert.Throws<BuildFailure>(() => BackupArchive.Read(Tar(new() { ["./server.txt"] = "17\n" }))).Message);
        Assert.Null(BackupArchive.Read(Tar(new() { ["./tables.tsv"] = "", ["./server.txt"] = "17.6\n\n" })).TimescaleDbVersion);
    }

    [Fact]
    public void The_tool_container_gets_the_script_as_one_quoted_argument()
    {
        var layout = new RemoteLayout("/opt/accoreboot", "accoreboot", "/var/lib/cloud/instance/boot-finished");
        var command = layout.DatabaseTool("echo 'it''s' \"$PGHOST\"");
        Assert.StartsWith("docker compose -p accoreboot --project-directory /opt/accoreboot/current -f /opt/accoreboot/current/docker-compose.yml run --rm -T --no-deps db-tools sh -c ", command);
        Assert.EndsWith(Shell.Quote("echo 'it''s' \"$PGHOST\""), command);
        Assert.Equal("docker compose -p accoreboot --project-directory /opt/accoreboot/current -f /opt/accoreboot/current/docker-compose.yml stop caddy emqx powersync api 2>&1",
            layout.Stop(DatabaseBackups.Writers));
    }

    private static byte[] Tar(Dictionary<string, string> files)
    {
        using var output = new MemoryStream();
        using (var writer = new TarWriter(output, leaveOpen: true))
            foreach (var (name, text) in files)
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)) });
        return output.ToArray();
    }
}
