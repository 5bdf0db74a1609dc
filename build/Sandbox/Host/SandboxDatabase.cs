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
    private string? _owner;

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
        docker.Run(["run", "-d", "--pull", "never", "--name", container, "--network", network, "-e", "POSTGRES_PASSWORD", image],
            $"start PostgreSQL ({image}; built by .ci/build-local-images.sh?)", environment: new Dictionary<string, string?> { ["POSTGRES_PASSWORD"] = superuser });
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!docker.Try(["exec", container, "pg_isready", "-q", "-h", "127.0.0.1", "-U", "postgres"]).Succeeded)
        {
            if (DateTime.UtcNow > deadline) throw new BuildFailure($"The sandbox's PostgreSQL ({container}) is not ready after 60 s: docker logs {container}.");
            await Task.Delay(250, ct);
        }
    }

    // one statement at a time: Apply creates the databases and the user concurrently, and ownership follows both
    public void CreateDatabase(string name)
    {
        lock (_databases)
        {
            Sql($"CREATE DATABASE {Identifier(name)};\n" + (_owner != null ? $"ALTER DATABASE {Identifier(name)} OWNER TO {Identifier(_owner)}" : ""));
            _databases.Add(name);
        }
    }

    public void DropDatabase(string name)
    {
        lock (_databases)
        {
            Sql($"DROP DATABASE IF EXISTS {Identifier(name)} WITH (FORCE)");
            _databases.Remove(name);
        }
    }

    public void CreateUser(string name, string password, IReadOnlyList<string> roles)
    {
        var attributes = roles.Contains("replication") ? " REPLICATION" : "";
        // on OVH the user may create objects in the service's databases; here it owns them, which allows the same
        lock (_databases)
        {
            Sql($"CREATE ROLE {Identifier(name)} LOGIN{attributes} PASSWORD {Literal(password)};\n" +
                string.Concat(_databases.Select(d => $"ALTER DATABASE {Identifier(d)} OWNER TO {Identifier(name)};\n")));
            _owner = name;
        }
    }

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
            if (_owner == name) _owner = null;
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
