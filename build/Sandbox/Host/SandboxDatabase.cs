using System.Security.Cryptography;
using AccoReboot.Sandbox.Emulator;
using BuildEngine;

namespace AccoReboot.Sandbox.Host;

/// <summary>
/// The managed PostgreSQL of the sandbox: PostgreSQL 17 + TimescaleDB in a container on the stack's network,
/// reached by the containers as &lt;container&gt;:5432, without TLS. Databases and users the emulated OVH API creates
/// are created here too, with SQL on psql's stdin (passwords never in a process argument).
/// </summary>
sealed class SandboxDatabase(SandboxDocker docker, string network, string container, string image) : IManagedPostgres, IDisposable
{
    private readonly List<string> _databases = [];
    private readonly List<string> _users = [];

    public string Host => container;
    public int Port => 5432;
    public string CaCertificate => "";

    public async Task StartAsync(CancellationToken ct)
    {
        docker.Try(["rm", "-f", "-v", container]);
        if (!docker.Try(["network", "inspect", network]).Succeeded)
            docker.Run(["network", "create", network], $"create the Docker network {network}");
        // the superuser's password stays in this process's environment: docker run -e NAME takes it from there
        var superuser = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        // a managed database outlives a reboot of the instance; here the instance's reboot restarts this machine's
        // Docker Engine, and the database comes back by its restart policy (a blip, as a managed failover)
        // no healthcheck: readiness is polled below, and the image's own check (a docker exec of pg_isready every
        // 2 s, a quarter of a CPU-second each on these 2 cores) is load no managed database puts on the instance
        docker.Run(["run", "-d", "--pull", "never", "--restart", "unless-stopped", "--no-healthcheck", "--name", container, "--network", network, "-e", "POSTGRES_PASSWORD", image],
            $"start PostgreSQL ({image}; built by .ci/build-local-images.sh?)", environment: new Dictionary<string, string?> { ["POSTGRES_PASSWORD"] = superuser });
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!docker.Try(["exec", container, "pg_isready", "-q", "-h", "127.0.0.1", "-U", "postgres"]).Succeeded)
        {
            if (DateTime.UtcNow > deadline) throw new BuildFailure($"The sandbox's PostgreSQL ({container}) is not ready after 60 s: docker logs {container}.");
            await Task.Delay(250, ct);
        }
    }

    // What an OVH-created user may do, and no more (shared/reference/ovh-openstack.md §2.6, 2.8): no superuser
    // (OVH roadmap #551), REPLICATION only with the "replication" role, never the owner of the service's
    // databases (avnadmin owns them). Creating tables and publications in them is what the application needs and
    // what Aiven (OVH's engine) grants service users, so CREATE on each database and its public schema; CREATE
    // EXTENSION (timescaledb is not a trusted extension) fails here as it does there without avnadmin.
    // One statement at a time: Apply creates the databases and the user concurrently, and the grants follow both.
    public void CreateDatabase(string name)
    {
        lock (_databases)
        {
            Sql($"CREATE DATABASE {Identifier(name)}");
            _databases.Add(name);
            foreach (var user in _users) Grant(name, user);
        }
    }

    /// <summary>
    /// Drops a database whatever uses it, as OVH deletes a cluster's: its replication slots too (PowerSync's, whose
    /// walsender may still be connected while the instance is deleted beside it; PostgreSQL refuses to drop a
    /// database that has one). A client that reconnects and makes its slot again in between is met by another try.
    /// </summary>
    public void DropDatabase(string name)
    {
        var database = Literal(name);
        var script =
            $"SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = {database} AND active_pid IS NOT NULL;\n" +
            "SELECT pg_sleep(0.1);\n" +
            $"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = {database} AND NOT active;\n" +
            $"DROP DATABASE IF EXISTS {Identifier(name)} WITH (FORCE)";
        lock (_databases)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    Sql(script);
                    break;
                }
                catch (BuildFailure e) when (attempt < 10 && e.Message.Contains("slot", StringComparison.Ordinal))
                {
                    Thread.Sleep(200);
                }
            }
            _databases.Remove(name);
        }
    }

    public void CreateUser(string name, string password, IReadOnlyList<string> roles)
    {
        var attributes = roles.Contains("replication") ? " REPLICATION" : "";
        lock (_databases)
        {
            Sql($"CREATE ROLE {Identifier(name)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE{attributes} PASSWORD {Literal(password)}");
            _users.Add(name);
            foreach (var database in _databases) Grant(database, name);
        }
    }

    private void Grant(string database, string user) =>
        Sql($"GRANT CONNECT, CREATE, TEMPORARY ON DATABASE {Identifier(database)} TO {Identifier(user)};\n" +
            $"\\connect {Identifier(database)}\nGRANT ALL ON SCHEMA public TO {Identifier(user)}");

    public void SetPassword(string name, string password)
    {
        lock (_databases) Sql($"ALTER ROLE {Identifier(name)} PASSWORD {Literal(password)}");
    }

    public void DropUser(string name)
    {
        lock (_databases)
        {
            // what the user made in each database (the API's tables) goes to postgres first, or the role cannot be dropped
            Sql(string.Concat(_databases.Select(d => $"\\connect {Identifier(d)}\nREASSIGN OWNED BY {Identifier(name)} TO postgres;\nDROP OWNED BY {Identifier(name)};\n")) +
                $"\\connect postgres\nDROP ROLE IF EXISTS {Identifier(name)}");
            _users.Remove(name);
        }
    }

    private void Sql(string sql) =>
        docker.Run(["exec", "-i", container, "psql", "-v", "ON_ERROR_STOP=1", "-q", "-U", "postgres", "-d", "postgres"], "run SQL in the sandbox's PostgreSQL", input: sql + ";\n");

    private static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";

    private static string Literal(string value) => "'" + value.Replace("'", "''") + "'";

    /// <summary>Removes the database and its network (the stack's containers are gone by then).</summary>
    public void Dispose()
    {
        docker.Try(["rm", "-f", "-v", container]);
        docker.Try(["network", "rm", network]);
    }
}
