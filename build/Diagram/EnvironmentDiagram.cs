using System.Globalization;
using System.Security;
using System.Text;

namespace AccoReboot.Diagram;

/// <summary>What the state says the environment is now (absent: the picture shows the declaration alone).</summary>
sealed record LiveFacts(string? InstanceId, string? Ipv4, string? DatabaseEndpoint, string? DatabaseStatus, string? Release, DateTimeOffset? LastChange);

/// <summary>What the picture shows, from the environment's profile and, when there is one, its state.</summary>
sealed record DiagramFacts(
    string Environment,
    string Region,
    string Flavor,
    string Image,
    bool Protected,
    int HttpPort,
    int HttpsPort,
    int MqttPort,
    int? DashboardPort,
    IReadOnlyList<string> AdminCidrs,
    string? Domain,
    string DbVersion,
    string DbPlan,
    string DbFlavor,
    int DbNodes,
    string DbRegion,
    IReadOnlyList<string> Databases,
    string? DbBackupTime,
    string Bucket,
    string BucketRegion,
    string EmqxImage,
    string PowerSyncImage,
    string CaddyImage,
    LiveFacts? Live);

/// <summary>
/// Draws an environment as an SVG (pure: facts in, text out): who reaches it and on which ports, the security
/// group, the instance with its containers and Caddy's routes, the managed PostgreSQL with its IP restriction and
/// daily backup, the bucket of the state and the backups, the DNS record. Declared values come from the profile;
/// what the state records (addresses, ids, the running release) is added beside them.
/// </summary>
static class EnvironmentDiagram
{
    private const int Width = 1180, Height = 700;

    public static string Render(DiagramFacts f)
    {
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" width="{Width}" height="{Height}" viewBox="0 0 {Width} {Height}" font-family="Helvetica, Arial, sans-serif" font-size="12">""").Append('\n');
        svg.Append("""<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#444"/></marker></defs>""").Append('\n');
        svg.Append(CultureInfo.InvariantCulture, $"""<rect width="{Width}" height="{Height}" fill="#ffffff"/>""").Append('\n');
        var live = f.Live;
        Text(svg, 20, 30, $"AccoReboot · {f.Environment} · OVHcloud {f.Region}{(f.Protected ? " · protected" : "")}", 18, bold: true);
        Text(svg, 20, 50, live == null ? "As declared in .nuke/parameters." + f.Environment + ".json (no state read)"
            : $"As declared, and as the state records it{(live.LastChange is { } at ? $" (last change {at.UtcDateTime:yyyy-MM-dd HH:mm} UTC)" : "")}", 12, color: "#555");

        // who reaches it
        Box(svg, 20, 110, 190, 70, "#eef5ff", "Devices (GPS trackers)", [$"MQTT :{f.MqttPort}", "or the websocket /mqtt via Caddy"]);
        Box(svg, 20, 250, 190, 70, "#eef5ff", "App users (phones)", [$"HTTP{(f.Domain != null ? "S" : "")} :{(f.Domain != null ? f.HttpsPort : f.HttpPort)}", "/api/auth/token, /powersync"]);
        Box(svg, 20, 390, 190, 70, "#eef5ff", "Operators, CI", ["SSH :22 (deploy key)", f.AdminCidrs.Count > 0 ? "from " + Shorten(string.Join(", ", f.AdminCidrs), 26) : "from AdminCidrs (none set yet)"]);

        // the security group and the instance
        var sgOpen = $"in: tcp {f.HttpPort}, {f.HttpsPort}, {f.MqttPort} from anywhere; 22{(f.DashboardPort is { } d ? $", {d}" : "")} from admin CIDRs";
        Frame(svg, 250, 80, 560, 560, "#888", $"security group {f.Environment}-backend", sgOpen, dashed: true);
        var instanceLine = $"{f.Flavor} · {f.Image}" + (live?.Ipv4 is { Length: > 0 } ip ? $" · {ip}" : " · address given at Apply");
        Frame(svg, 270, 130, 520, 490, "#2b6cb0", $"instance {f.Environment}-backend", instanceLine + (live?.InstanceId is { } id ? $" · {Shorten(id, 13)}" : ""), dashed: false);
        if (live?.Release is { } release) Text(svg, 285, 182, $"release {release} (docker compose, logs rotated)", 11, color: "#2b6cb0");
        Box(svg, 290, 200, 220, 95, "#f0fff4", "caddy", [Shorten(f.CaddyImage, 32), $":80 → :{f.HttpPort}" + (f.Domain != null ? $", :443 → :{f.HttpsPort} (ACME)" : ""), "/api/auth/token, /api/admin/* → api", "/powersync → powersync, /mqtt → emqx"]);
        Box(svg, 550, 200, 220, 95, "#fffaf0", "api (NestJS)", ["this commit's image", ":3000, JWKS /.well-known", "EMQX's auth and ACL callbacks", "positions → PostgreSQL"]);
        Box(svg, 290, 340, 220, 95, "#fffaf0", "emqx", [Shorten(f.EmqxImage, 32), $":1883 → :{f.MqttPort}" + (f.DashboardPort is { } dash ? $", dashboard :{dash}" : ""), "HTTP auth + authz → api", "shared subscription → api"]);
        Box(svg, 550, 340, 220, 95, "#fffaf0", "powersync", [Shorten(f.PowerSyncImage, 32), ":8080, JWTs from the api's JWKS", "replicates device_latest_position", "buckets in powersync_storage"]);
        Box(svg, 290, 480, 480, 60, "#f7f7f7", "db-tools (Backup, Restore: docker compose run)", ["pg_dump / psql of PostgreSQL " + f.DbVersion + ", never started by up"]);
        Text(svg, 290, 600, "keys/ (JWT, kept sealed in the state) · releases/ · audit.log", 11, color: "#555");

        // managed services
        var dbLines = new List<string>
        {
            $"{f.DbPlan} · {f.DbFlavor} × {f.DbNodes} · {f.DbRegion}",
            "databases: " + string.Join(", ", f.Databases),
            "IP restriction: the instance's /32",
            f.DbBackupTime != null ? $"OVH daily backup {f.DbBackupTime} UTC" : "OVH daily backup (default time)",
        };
        if (live?.DatabaseEndpoint is { } endpoint) dbLines.Add(Shorten(endpoint, 34) + (live.DatabaseStatus is { } status ? $" ({status})" : ""));
        Box(svg, 850, 110, 310, 40 + 16 * dbLines.Count, "#faf5ff", $"Managed PostgreSQL {f.DbVersion} + TimescaleDB", dbLines);
        Box(svg, 850, 300, 310, 80, "#faf5ff", "Object Storage (S3)", [$"bucket {f.Bucket} · {f.BucketRegion}", $"{f.Environment}/state.json (+ lock), versioned", $"{f.Environment}/backups/ (age-encrypted by the build)"]);
        if (f.Domain != null)
            Box(svg, 850, 430, 310, 64, "#faf5ff", "DNS zone at OVH", [$"{f.Domain} A → {(live?.Ipv4 is { Length: > 0 } a ? a : "the instance")}", "TTL 300, follows the instance"]);

        // who talks to what
        Arrow(svg, 210, 160, 290, 370, $"MQTT :{f.MqttPort}", 222, 200);
        Arrow(svg, 210, 285, 290, 240, f.Domain != null ? "HTTPS" : "HTTP", 225, 290);
        Arrow(svg, 210, 420, 270, 420, "SSH", 225, 412);
        Arrow(svg, 510, 245, 550, 245, null);
        Arrow(svg, 400, 295, 400, 340, null);
        Arrow(svg, 510, 385, 550, 270, null);
        Arrow(svg, 770, 230, 850, 160, "SQL, TLS", 782, 205);
        Arrow(svg, 770, 385, 850, 185, "replication", 790, 300);
        Arrow(svg, 770, 510, 850, 200, "pg_dump", 800, 420);
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static void Box(StringBuilder svg, int x, int y, int w, int h, string fill, string title, IReadOnlyList<string> lines)
    {
        svg.Append(CultureInfo.InvariantCulture, $"""<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="6" fill="{fill}" stroke="#444"/>""").Append('\n');
        Text(svg, x + 10, y + 18, title, 13, bold: true);
        for (var i = 0; i < lines.Count; i++) Text(svg, x + 10, y + 36 + 15 * i, lines[i], 11);
    }

    private static void Frame(StringBuilder svg, int x, int y, int w, int h, string stroke, string title, string subtitle, bool dashed)
    {
        svg.Append(CultureInfo.InvariantCulture, $"""<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="8" fill="none" stroke="{stroke}" stroke-width="1.5"{(dashed ? " stroke-dasharray=\"6 4\"" : "")}/>""").Append('\n');
        Text(svg, x + 12, y + 20, title, 13, bold: true, color: stroke);
        Text(svg, x + 12, y + 36, subtitle, 11, color: "#555");
    }

    private static void Arrow(StringBuilder svg, int x1, int y1, int x2, int y2, string? label, int labelX = 0, int labelY = 0)
    {
        svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#444" stroke-width="1.2" marker-end="url(#arrow)"/>""").Append('\n');
        if (label != null) Text(svg, labelX, labelY, label, 10, color: "#444");
    }

    private static void Text(StringBuilder svg, int x, int y, string text, int size, bool bold = false, string color = "#111") =>
        svg.Append(CultureInfo.InvariantCulture, $"""<text x="{x}" y="{y}" font-size="{size}" fill="{color}"{(bold ? " font-weight=\"bold\"" : "")}>{SecurityElement.Escape(text)}</text>""").Append('\n');

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
