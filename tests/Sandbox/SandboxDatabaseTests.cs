using AccoReboot.Sandbox.Host;
using BuildEngine;
using Tests.Support;

namespace Tests.Sandbox;

/// <summary>The sandbox's managed PostgreSQL, against a real PostgreSQL 17 in Docker.</summary>
[Trait("Category", "Integration")]
public class SandboxDatabaseTests
{
    [Fact]
    public async Task A_database_whose_replication_slot_is_in_use_is_dropped_as_OVH_drops_a_deleted_cluster()
    {
        var log = new BuildLog(new StringWriter(), new StringWriter(), new SecretMasker(), ansi: false);
        var processes = new ProcessRunner(log);
        var network = $"accoreboot-dbtest-{Guid.NewGuid():N}"[..26];
        var container = network + "-db";
        using var database = new SandboxDatabase(new SandboxDocker(processes), network, container, "local/pg17-timescaledb:trixie");
        await database.StartAsync(CancellationToken.None);
        database.CreateDatabase("app");
        string Query(string sql) => Tool.Run("docker", ["exec", container, "psql", "-U", "postgres", "-d", "postgres", "-tAc", sql]).Out.Trim();

        // a walsender streaming from a logical slot of the database, as PowerSync's does while the instance runs
        Assert.Equal(0, Tool.Run("docker", ["exec", container, "pg_recvlogical", "-U", "postgres", "-d", "app", "--slot", "powersync", "--create-slot", "-P", "test_decoding"]).ExitCode);
        Assert.Equal(0, Tool.Run("docker", ["exec", "-d", container, "pg_recvlogical", "-U", "postgres", "-d", "app", "--slot", "powersync", "--start", "-f", "/dev/null"]).ExitCode);
        for (var i = 0; i < 100 && Query("SELECT active FROM pg_replication_slots WHERE slot_name = 'powersync'") != "t"; i++) await Task.Delay(100);
        Assert.Equal("t", Query("SELECT active FROM pg_replication_slots WHERE slot_name = 'powersync'"));
        // a plain DROP DATABASE refuses here ("There is 1 active slot"), which made Down fail when the cluster's
        // deletion ran before the instance's had stopped PowerSync
        Assert.Contains("slot", Tool.Run("docker", ["exec", container, "psql", "-U", "postgres", "-d", "postgres", "-c", "DROP DATABASE app WITH (FORCE)"]).All);

        database.DropDatabase("app");
        Assert.Equal("0", Query("SELECT count(*) FROM pg_database WHERE datname = 'app'"));
        Assert.Equal("0", Query("SELECT count(*) FROM pg_replication_slots"));
    }
}
