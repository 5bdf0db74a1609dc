using System.Diagnostics;
using System.Security.Cryptography;
using AccoReboot.Backups;
using Tests.Support;

namespace Tests.Backups;

/// <summary>
/// Backup's and Restore's scripts for real, in the db-tools image the sandbox uses, against PostgreSQL 17 with
/// TimescaleDB created by the database's administrator (as avnadmin does on OVH) and an application user with
/// OVH's rights (no superuser, not the owner): a hypertable's chunks go out and come back.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DatabaseDumpScriptTests : IDisposable
{
    private const string Image = "local/pg17-timescaledb:trixie";
    private readonly string _container = "accoreboot-dump-test-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
    private readonly string _password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    public DatabaseDumpScriptTests()
    {
        var started = Tool.Run("docker", ["run", "-d", "--pull", "never", "--name", _container, "-e", "POSTGRES_PASSWORD=" + _password, Image]);
        Assert.True(started.ExitCode == 0, started.All);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (Tool.Run("docker", ["exec", _container, "pg_isready", "-q", "-h", "127.0.0.1", "-U", "postgres"]).ExitCode != 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "PostgreSQL did not start: " + Tool.Run("docker", ["logs", _container]).All);
            Thread.Sleep(250);
        }
        Admin($"""
            CREATE ROLE app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '{_password}';
            CREATE DATABASE accoreboot;
            GRANT CONNECT, CREATE, TEMPORARY ON DATABASE accoreboot TO app;
            \connect accoreboot
            CREATE EXTENSION timescaledb;
            GRANT ALL ON SCHEMA public TO app;
            """);
        // the API's tables (api/src/database/migrations.ts), made by the application's user
        App("""
            CREATE TABLE app_users (id uuid PRIMARY KEY, username text NOT NULL UNIQUE);
            CREATE TABLE devices (id text PRIMARY KEY, owner_id uuid REFERENCES app_users (id) ON DELETE SET NULL, secret_hash bytea NOT NULL);
            CREATE TABLE positions (device_id text NOT NULL, recorded_at timestamptz NOT NULL, lat double precision NOT NULL, lon double precision NOT NULL,
              note text, PRIMARY KEY (device_id, recorded_at));
            SELECT create_hypertable('positions', by_range('recorded_at', INTERVAL '1 day'));
            CREATE TABLE device_latest_position (device_id text PRIMARY KEY, lat double precision NOT NULL);
            CREATE PUBLICATION powersync FOR TABLE device_latest_position;
            INSERT INTO app_users VALUES ('00000000-0000-0000-0000-000000000001', 'alice'), ('00000000-0000-0000-0000-000000000002', 'bob');
            INSERT INTO devices VALUES ('d1', '00000000-0000-0000-0000-000000000001', '\x01'), ('d2', '00000000-0000-0000-0000-000000000002', '\x02');
            INSERT INTO positions SELECT 'd' || (1 + i % 2), timestamptz '2026-11-28 00:00:00+00' + i * interval '2 hours', 45 + i / 100.0, 5, E'tab\there, quote '' and\nnewline'
              FROM generate_series(0, 35) AS i;
            INSERT INTO device_latest_position VALUES ('d1', 45.3), ('d2', 45.35);
            """);
    }

    [Fact]
    public void A_hypertables_rows_and_the_other_tables_come_back_after_they_were_deleted_and_changed()
    {
        var before = Snapshot();
        Assert.Equal("3", Scalar("SELECT count(*) FROM timescaledb_information.chunks WHERE hypertable_name = 'positions'"));

        var tar = DbTool(DatabaseDumpScripts.Dump(), null);
        var archive = BackupArchive.Read(tar);
        Assert.Equal(["app_users 2", "device_latest_position 2", "devices 2", "positions 36 (3 chunks)"], archive.Tables.Select(t => t.Describe()));
        Assert.StartsWith("17.", archive.ServerVersion);
        Assert.NotNull(archive.TimescaleDbVersion);

        App("""
            DELETE FROM positions WHERE recorded_at > '2026-11-29';
            INSERT INTO positions VALUES ('d9', '2026-12-01', 1, 1, 'after the backup');
            UPDATE app_users SET username = 'mallory' WHERE username = 'bob';
            DELETE FROM devices; DELETE FROM device_latest_position;
            """);
        Assert.NotEqual(before, Snapshot());

        DbTool(DatabaseDumpScripts.Load(), tar);
        Assert.Equal(before, Snapshot());
        // the rows went into the hypertable's chunks, as inserts do (none is in the parent table alone)
        Assert.Equal("0", Scalar("SELECT count(*) FROM ONLY positions"));
        Assert.Equal("36", Scalar("SELECT count(*) FROM positions"));
    }

    [Fact]
    public void A_load_that_cannot_finish_changes_nothing_and_says_why()
    {
        var tar = DbTool(DatabaseDumpScripts.Dump(), null);
        App("DELETE FROM positions WHERE device_id = 'd2'; DROP TABLE device_latest_position;");
        var before = Scalar("SELECT count(*) FROM positions");

        var failed = RunDbTool(DatabaseDumpScripts.Load(), tar);
        Assert.NotEqual(0, failed.ExitCode);
        Assert.Contains("device_latest_position", failed.Error);
        Assert.Equal(before, Scalar("SELECT count(*) FROM positions")); // one transaction: the TRUNCATE went back too
    }

    private string Snapshot() => Scalar("""
        SELECT (SELECT string_agg(username, ',' ORDER BY id) FROM app_users) || '|' ||
               (SELECT string_agg(id || ':' || owner_id || ':' || encode(secret_hash, 'hex'), ',' ORDER BY id) FROM devices) || '|' ||
               (SELECT string_agg(device_id || '@' || recorded_at || ':' || lat || ':' || note, ',' ORDER BY device_id, recorded_at) FROM positions) || '|' ||
               (SELECT string_agg(device_id || ':' || lat, ',' ORDER BY device_id) FROM device_latest_position)
        """);

    private void Admin(string sql)
    {
        var result = Tool.Run("docker", ["exec", "-i", _container, "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-U", "postgres", "-d", "postgres"], input: sql);
        Assert.True(result.ExitCode == 0, result.All);
    }

    private void App(string sql)
    {
        var result = Tool.Run("docker", ["exec", "-i", "-e", "PGPASSWORD", _container, "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-U", "app", "-d", "accoreboot"],
            environment: new Dictionary<string, string?> { ["PGPASSWORD"] = _password }, input: sql);
        Assert.True(result.ExitCode == 0, result.All);
    }

    private string Scalar(string sql)
    {
        var result = Tool.Run("docker", ["exec", "-i", "-e", "PGPASSWORD", _container, "psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-U", "app", "-d", "accoreboot"],
            environment: new Dictionary<string, string?> { ["PGPASSWORD"] = _password }, input: sql);
        Assert.True(result.ExitCode == 0, result.All);
        return result.Out.Trim();
    }

    private byte[] DbTool(string script, byte[]? input)
    {
        var result = RunDbTool(script, input);
        Assert.True(result.ExitCode == 0, result.Error);
        return result.Output;
    }

    /// <summary>The script as Backup runs it: a throwaway container of the tools image, the PG* variables of the compose file's db-tools, bytes in and out.</summary>
    private (int ExitCode, byte[] Output, string Error) RunDbTool(string script, byte[]? input)
    {
        var info = new ProcessStartInfo("docker") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "run", "--rm", "-i", "--pull", "never", "--network", "container:" + _container, "--entrypoint", "",
                     "-e", "PGHOST=127.0.0.1", "-e", "PGPORT=5432", "-e", "PGUSER=app", "-e", "PGPASSWORD", "-e", "PGDATABASE=accoreboot", "-e", "PGSSLMODE=disable",
                     Image, "sh", "-c", script })
            info.ArgumentList.Add(argument);
        info.Environment["PGPASSWORD"] = _password;
        using var process = Process.Start(info)!;
        var output = new MemoryStream();
        var reading = process.StandardOutput.BaseStream.CopyToAsync(output);
        var error = process.StandardError.ReadToEndAsync();
        if (input != null) process.StandardInput.BaseStream.Write(input);
        process.StandardInput.Close();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "the db-tools container did not finish");
        reading.Wait();
        return (process.ExitCode, output.ToArray(), error.Result);
    }

    public void Dispose() => Tool.Run("docker", ["rm", "-f", "-v", _container]);
}
