namespace AccoReboot.Sandbox.Emulator;

/// <summary>What the emulated OVH project looks like and how slowly things happen in it.</summary>
sealed class EmulatorOptions
{
    public string ProjectId { get; init; } = "0123456789abcdef0123456789abcdef";

    public string ApplicationKey { get; init; } = "sandbox-application-key";
    public string ApplicationSecret { get; init; } = "sandbox-application-secret";
    public string ConsumerKey { get; init; } = "sandbox-consumer-key";

    public string OpenStackUsername { get; init; } = "user-sandbox";
    public string OpenStackPassword { get; init; } = "sandbox-openstack-password";

    public string S3AccessKey { get; init; } = "sandbox-s3-access";

    public IReadOnlyList<string> Regions { get; init; } = ["GRA9", "GRA11", "SBG5", "BHS5"];

    /// <summary>The DNS zones the account manages at OVHcloud.</summary>
    public IReadOnlyList<string> DnsZones { get; init; } = ["accoreboot.example"];

    /// <summary>CREATING → READY for a new PostgreSQL cluster (minutes on OVH).</summary>
    public TimeSpan DatabaseCreateDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>UPDATING → READY after a PUT on the cluster.</summary>
    public TimeSpan DatabaseUpdateDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan DatabaseDeleteDelay { get; init; } = TimeSpan.FromMilliseconds(300);

    public TimeSpan UserCreateDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>BUILD → ACTIVE for a new server.</summary>
    public TimeSpan ServerBuildDelay { get; init; } = TimeSpan.FromMilliseconds(300);

    public TimeSpan ServerDeleteDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan ServerPowerDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromHours(24);

    /// <summary>The OVH server clock minus ours: the client must correct with /auth/time.</summary>
    public TimeSpan OvhClockSkew { get; init; } = TimeSpan.FromSeconds(-137);

    public int InstanceQuota { get; init; } = 10;

    /// <summary>The IPv4 given to a new server (the sandbox answers 127.0.0.1, where its SSH server listens).</summary>
    public Func<int, string> InstanceAddress { get; init; } = n => $"203.0.113.{10 + n}";

    /// <summary>The console a server prints (cloud-init writes the SSH host key fingerprints there).</summary>
    public Func<string, string> ConsoleOutput { get; init; } = serverName =>
        $"[    0.000000] Linux version 6.8.0-generic\nCloud-init v. 24.4 finished. Datasource DataSourceConfigDrive. {serverName}\n";

    /// <summary>A server was created (its name, its keypair's public key): the sandbox boots its stand-in host with that key.</summary>
    public Action<string, string>? ServerCreated { get; init; }

    /// <summary>A server was deleted (its name): the sandbox tears down what ran on its stand-in host.</summary>
    public Action<string>? ServerDeleted { get; init; }

    /// <summary>A reboot was asked for (the sandbox restarts what plays the instance, in the background).</summary>
    public Action<string>? ServerRebooted { get; init; }

    /// <summary>Where the managed PostgreSQL really is (the sandbox's local server), or nothing for tests.</summary>
    public IManagedPostgres? Postgres { get; init; }

    /// <summary>Slow the S3 writes down, so concurrent conditional writes overlap the way they can on a real store.</summary>
    public TimeSpan S3WriteLatency { get; init; } = TimeSpan.Zero;

    /// <summary>Also check the emulator's own responses against the spec (a violation is recorded).</summary>
    public bool CheckResponses { get; init; } = true;
}

/// <summary>The real PostgreSQL behind the emulated managed one: databases and users are created there too.</summary>
interface IManagedPostgres
{
    string Host { get; }
    int Port { get; }
    string CaCertificate { get; }
    void CreateDatabase(string name);
    void DropDatabase(string name);
    void CreateUser(string name, string password, IReadOnlyList<string> roles);
    void SetPassword(string name, string password);
    void DropUser(string name);
}
