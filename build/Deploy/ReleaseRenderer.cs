using BuildEngine;

namespace AccoReboot.Deploy;

/// <summary>
/// Renders the files of a release from the templates. The compose file is rendered last, with the hash of each
/// service's mounted files as a label: a changed emqx.conf changes EMQX's definition, so compose recreates EMQX
/// and nothing else. Secrets are only in .env.
/// </summary>
sealed class ReleaseRenderer(TemplateRenderer templates)
{
    /// <summary>The root Caddy trusts for a private ACME CA's directory (Pebble's, in the sandbox).</summary>
    public const string AcmeCaRootFile = "acme-ca-root.pem";

    /// <summary>The site's private issuing root: the health check's curl on the instance trusts it (--cacert).</summary>
    public const string SiteCaRootFile = "site-ca-root.pem";

    public static readonly IReadOnlyDictionary<string, string[]> MountsByService = new Dictionary<string, string[]>
    {
        ["api"] = ["db-ca.pem"],
        ["emqx"] = ["emqx.conf"],
        ["powersync"] = ["powersync.yaml", "sync-config.yaml"],
        ["caddy"] = ["Caddyfile", AcmeCaRootFile],
    };

    public ReleaseFiles Render(StackSettings settings, DatabaseConnection database, StackSecrets secrets, HostIdentity host)
    {
        var model = Model(settings, database, secrets, host);
        var files = new List<ReleaseFile>
        {
            new(".env", templates.Render("env", model), 0b110_000_000),
            new("Caddyfile", templates.Render("Caddyfile", model)),
            new("emqx.conf", templates.Render("emqx.conf", model)),
            new("powersync.yaml", templates.Render("powersync.yaml", model)),
            new("sync-config.yaml", templates.Render("sync-config.yaml", model)),
            new("Makefile", templates.Render("Makefile", model)),
            new("db-ca.pem", database.CaPem ?? "# no CA: the database is reached without TLS (sandbox)\n"),
        };
        if (settings.Acme.CaRootPem.Length > 0) files.Add(new ReleaseFile(AcmeCaRootFile, settings.Acme.CaRootPem));
        if (settings.Acme.SiteRootPem.Length > 0) files.Add(new ReleaseFile(SiteCaRootFile, settings.Acme.SiteRootPem));
        model["hashes"] = MountsByService.ToDictionary(s => s.Key, s => (object?)ReleaseFiles.Hash(files.Where(f => s.Value.Contains(f.Path))));
        files.Add(new ReleaseFile("docker-compose.yml", templates.Render("docker-compose.yml", model)));
        return new ReleaseFiles(files);
    }

    private static Dictionary<string, object?> Model(StackSettings settings, DatabaseConnection database, StackSecrets secrets, HostIdentity host) => new()
    {
        ["environment"] = settings.Environment,
        ["project"] = settings.Project,
        ["app_directory"] = settings.AppDirectory,
        ["health_interval"] = settings.HealthInterval,
        ["domain"] = settings.Domain ?? "",
        ["https"] = settings.ServesHttps,
        ["acme"] = new Dictionary<string, object?>
        {
            ["email"] = settings.Acme.Email, ["ca"] = settings.Acme.Ca, ["ca_root"] = settings.Acme.CaRootPem.Length > 0 ? AcmeCaRootFile : "",
        },
        ["caddy_extra_hosts"] = settings.CaddyExtraHosts ?? [],
        ["bind"] = settings.BindAddress,
        ["ports"] = new Dictionary<string, object?>
        {
            ["http"] = settings.HttpPort, ["https"] = settings.HttpsPort, ["mqtt"] = settings.MqttPort, ["mqtt_tls"] = settings.MqttTlsPort, ["dashboard"] = settings.DashboardPort,
        },
        ["dashboard"] = settings.Dashboard,
        ["images"] = new Dictionary<string, object?>
        {
            ["api"] = settings.Images.Api, ["emqx"] = settings.Images.Emqx, ["powersync"] = settings.Images.PowerSync, ["caddy"] = settings.Images.Caddy,
            ["db_tools"] = settings.Images.DbTools,
        },
        ["pull_policy"] = settings.PullPolicy,
        ["network"] = new Dictionary<string, object?> { ["name"] = settings.NetworkName, ["external"] = settings.ExternalNetwork },
        ["powersync_audience"] = settings.PowerSyncAudience,
        ["uid"] = host.Uid,
        ["gid"] = host.Gid,
        ["database"] = new Dictionary<string, object?>
        {
            ["tls"] = settings.DatabaseTls,
            ["ca_pem"] = database.CaPem ?? "",
            ["host"] = database.Host,
            ["port"] = database.Port,
            ["user"] = database.User,
            ["name"] = database.Database,
            ["password"] = EnvValue("DATABASE_PASSWORD", database.Password),
            ["url"] = EnvValue("DATABASE_URL", database.Url(database.Database)),
            ["powersync_source_url"] = EnvValue("PS_DATA_SOURCE_URI", database.Url(database.Database)),
            ["powersync_storage_url"] = EnvValue("PS_STORAGE_URI", database.Url(database.StorageDatabase)),
        },
        ["secrets"] = new Dictionary<string, object?>
        {
            ["admin_token"] = EnvValue("ADMIN_TOKEN", secrets.AdminToken),
            ["emqx_cookie"] = EnvValue("EMQX_NODE_COOKIE", secrets.EmqxCookie),
            ["emqx_dashboard_password"] = EnvValue("EMQX_DASHBOARD_PASSWORD", secrets.EmqxDashboardPassword),
            ["powersync_token"] = EnvValue("PS_ADMIN_TOKEN", secrets.PowerSyncToken),
            ["mqtt_password"] = EnvValue("MQTT_PASSWORD", secrets.MqttPassword),
        },
    };

    /// <summary>A value of .env, single-quoted: compose takes it literally (no $ interpolation, # kept).</summary>
    private static string EnvValue(string name, string value)
    {
        if (value.Contains('\'') || value.Contains('\n'))
            throw new BuildFailure($"{name} contains a quote or a newline, which cannot go in the instance's .env: choose another value.");
        return $"'{value}'";
    }
}
