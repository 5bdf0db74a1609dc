using AccoReboot.Deploy;

namespace Tests.Support;

/// <summary>Rendered releases with known values, for the template tests.</summary>
internal static class StackFixture
{
    public static readonly StackSecrets Secrets = new("admin-token-f00d-0001", "emqx-cookie-f00d-0002", "emqx-dash-f00d-0003", "powersync-token-f00d-0004", "mqtt-password-f00d-0005");
    public const string DatabasePassword = "db-pass+/=f00d-0005";

    public const string CaPem = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUX0test0ca0for0templates0onlyMAoGCCqGSM49BAMC\nMBQxEjAQBgNVBAMMCWxvY2FsLWNhMB4XDTI2MTEyNzAwMDAwMFoXDTM2MTEyNzAw\n-----END CERTIFICATE-----\n";

    public static StackSettings Cloud(string environment = "test") => new(
        environment, $"{environment}.accoreboot.example", new AcmeSettings("ops@accoreboot.example", "", ""),
        "0.0.0.0", 80, 443, 1883, Dashboard: true, 18083,
        new StackImages("registry.accoreboot.example/accoreboot-api:3f2a1c9d0b7e", "emqx/emqx:5.8.9", "journeyapps/powersync-service:1.15.2", "caddy:2.10.2-alpine"),
        "missing", "accoreboot", ExternalNetwork: false, DatabaseTls: true, "powersync");

    public static StackSettings Sandbox() => new(
        "sandbox", null, new AcmeSettings("", "", ""), "127.0.0.1", 18090, 18443, 18883, Dashboard: false, 18083,
        new StackImages("127.0.0.1:5000/accoreboot-api:3f2a1c9d0b7e", "local/emqx-standin:trixie", "local/powersync-standin:trixie", "local/caddy-sandbox:trixie"),
        "never", "accoreboot-sandbox", ExternalNetwork: true, DatabaseTls: false, "powersync");

    public static DatabaseConnection Database(bool tls = true) =>
        new("postgresql-1a2b3c4d-o5e6f7a8b.database.cloud.ovh.net", 20184, "accoreboot", DatabasePassword, "accoreboot", "powersync_storage", tls ? CaPem : null);

    public static ReleaseFiles Render(StackSettings settings, string? templates = null) =>
        new ReleaseRenderer(new TemplateRenderer(templates ?? Repository.Path("templates"))).Render(settings, Database(settings.DatabaseTls), Secrets, new HostIdentity(1000, 1000));

    public static IEnumerable<string> SecretValues => [Secrets.AdminToken, Secrets.EmqxCookie, Secrets.EmqxDashboardPassword, Secrets.PowerSyncToken, Secrets.MqttPassword, DatabasePassword, Uri.EscapeDataString(DatabasePassword)];

    public static TempDirectory Write(ReleaseFiles release)
    {
        var directory = new TempDirectory("release");
        foreach (var file in release.Files) directory.File(file.Path, file.Content);
        return directory;
    }
}
