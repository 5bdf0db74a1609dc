namespace AccoReboot.Deploy;

/// <summary>
/// The images of the stack, each pinned to an immutable tag. DbTools gives Backup and Restore pg_dump and psql of
/// the server's major version (pg_dump refuses a newer server).
/// </summary>
sealed record StackImages(string Api, string Emqx, string PowerSync, string Caddy, string DbTools = StackImages.DefaultDbTools)
{
    public const string DefaultDbTools = "postgres:17.6-bookworm";
}

/// <summary>How the stack of one environment is laid out, from its profile.</summary>
sealed record StackSettings(
    string Environment,
    string? Domain,
    AcmeSettings Acme,
    string BindAddress,
    int HttpPort,
    int HttpsPort,
    int MqttPort,
    bool Dashboard,
    int DashboardPort,
    StackImages Images,
    string PullPolicy,
    string NetworkName,
    bool ExternalNetwork,
    bool DatabaseTls,
    string PowerSyncAudience,
    string Project = "accoreboot",
    string AppDirectory = "/opt/accoreboot",
    string HealthInterval = "5s",
    bool DnsPointsHere = true,
    int MqttTlsPort = 8883,
    IReadOnlyList<string>? CaddyExtraHosts = null,
    string DnsServer = "",
    string SiteCaRoot = "")
{
    /// <summary>
    /// Caddy serves the domain over HTTPS (and gets its certificate) only once its DNS points at the instance;
    /// before, it serves HTTP only: an ACME challenge that cannot succeed counts against Let's Encrypt's
    /// failed-validation limit (5 per account, hostname and hour: letsencrypt.org/docs/rate-limits).
    /// </summary>
    public bool ServesHttps => Domain is { Length: > 0 } && DnsPointsHere;
}

/// <summary>
/// Where Caddy gets certificates (empty: Let's Encrypt with Caddy's defaults). CaRoot is a PEM file on this
/// machine; Deploy reads it into CaRootPem, and the site's private issuing root (StackSettings.SiteCaRoot) into
/// SiteRootPem: both go with the release, for Caddy and for the health check's curl on the instance.
/// </summary>
sealed record AcmeSettings(string Email, string Ca, string CaRoot, string CaRootPem = "", string SiteRootPem = "")
{
    public override string ToString() => $"AcmeSettings {{ {Email}, {Ca}, {CaRoot} }}";
}

/// <summary>How the containers reach the managed PostgreSQL.</summary>
sealed record DatabaseConnection(string Host, int Port, string User, string Password, string Database, string StorageDatabase, string? CaPem)
{
    public override string ToString() => $"DatabaseConnection {{ {User}@{Host}:{Port}/{Database}, Password = **** }}";

    public string Url(string database) =>
        $"postgresql://{Uri.EscapeDataString(User)}:{Uri.EscapeDataString(Password)}@{Host}:{Port}/{Uri.EscapeDataString(database)}";
}

/// <summary>The stack's secrets from the environment's credentials: they go to .env, and nowhere else.</summary>
sealed record StackSecrets(string AdminToken, string EmqxCookie, string EmqxDashboardPassword, string PowerSyncToken, string MqttPassword)
{
    public override string ToString() => "StackSecrets { **** }";
}

/// <summary>What the deploy learnt from the host before rendering: the deploy user's ids, for the files it owns.</summary>
sealed record HostIdentity(int Uid, int Gid);
