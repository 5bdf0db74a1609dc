using System.Net;
using System.Security.Cryptography;
using System.Text;
using AccoReboot.Cloud.OpenStack;
using BuildEngine;

namespace AccoReboot.Infra;

/// <summary>The managed PostgreSQL an environment wants.</summary>
sealed record DatabaseSpec(
    string Version,
    string Plan,
    string Flavor,
    string Region,
    int Nodes,
    int? DiskSize,
    IReadOnlyList<string> Databases,
    string User,
    IReadOnlyList<string> UserRoles,
    string? BackupTime = null);

/// <summary>
/// The instance's ports the security group opens: the stack's public ports to everyone, SSH (and the EMQX
/// dashboard when published) to the admin networks only. From the stack's settings, so a changed port reaches the
/// security group.
/// </summary>
sealed record ExposedPorts(IReadOnlyList<int> Public, IReadOnlyList<int> AdminOnly)
{
    public const int Ssh = 22;

    /// <summary>MQTT over TLS (<paramref name="mqttTls"/>) is open only with a domain: its certificate is the domain's.</summary>
    public static ExposedPorts Of(int http, int https, int mqtt, int? mqttTls, int? dashboard) =>
        new(new[] { http, https, mqtt }.Concat(mqttTls is { } tls ? [tls] : []).Distinct().ToList(), dashboard is { } port ? [Ssh, port] : [Ssh]);
}

/// <summary>
/// The environment's public name (its Domain) and the DNS zone at OVHcloud it is a name of: Apply keeps an A record
/// there that follows the instance.
/// </summary>
sealed record DnsName(string Domain, string Zone)
{
    /// <summary>The record's sub-domain in the zone ("" for the zone's apex).</summary>
    public string SubDomain => Domain == Zone ? "" : Domain[..^(Zone.Length + 1)];

    /// <summary>The zone given, else the domain's last two labels (api.accoreboot.example → accoreboot.example).</summary>
    public static DnsName Of(string domain, string? zone)
    {
        domain = domain.Trim().TrimEnd('.').ToLowerInvariant();
        var labels = domain.Split('.');
        zone = (zone is { Length: > 0 } given ? given : string.Join('.', labels.TakeLast(2))).Trim().TrimEnd('.').ToLowerInvariant();
        if (labels.Length < 2 || labels.Any(l => l.Length == 0))
            throw new BuildFailure($"Domain '{domain}' is not a DNS name (like api.accoreboot.example).");
        if (domain != zone && !domain.EndsWith("." + zone, StringComparison.Ordinal))
            throw new BuildFailure($"Domain {domain} is not in the DNS zone {zone} (DnsZone): give the zone the domain is a name of.");
        return new DnsName(domain, zone);
    }
}

/// <summary>
/// What one environment should look like, from its profile (.nuke/parameters.&lt;env&gt;.json) and the deploy key.
/// The names are fixed: &lt;env&gt;-backend, &lt;env&gt;-backend-sg, &lt;env&gt;-deploy, &lt;env&gt;-postgresql.
/// </summary>
sealed record DesiredEnvironment(
    string Name,
    string Region,
    string Flavor,
    string Image,
    DatabaseSpec Database,
    IReadOnlyList<string> AdminCidrs,
    string SshPublicKey,
    string UserData,
    bool Protected,
    ExposedPorts Ports,
    DnsName? Dns = null)
{
    public const string ExternalNetwork = "Ext-Net";

    public string InstanceName => $"{Name}-backend";
    public string SecurityGroupName => $"{Name}-backend-sg";
    public string KeypairName => $"{Name}-deploy";
    public string ClusterName => $"{Name}-postgresql";

    /// <summary>
    /// Cloud-init's user data as the instance metadata records it, the deploy key left out: the key has its own
    /// fingerprint, and Rotate --what deploy-key changes it on the running instance.
    /// </summary>
    public string UserDataSha256 => Sha256(UserData.Replace(SshPublicKey.Trim(), "", StringComparison.Ordinal));

    /// <summary>The same with the key in, as instances made before the key was left out recorded it.</summary>
    public string UserDataWithKeySha256 => Sha256(UserData);

    /// <summary>The SSH key's fingerprint as the instance metadata (and a rotation, in the state) records it.</summary>
    public string SshKeySha256 => KeySha256(SshPublicKey);

    public static string KeySha256(string publicKey) => Sha256(publicKey.Trim())[..16];

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>The ingress rules of the security group: SSH from the admin networks, the public ports from anywhere.</summary>
    public IReadOnlyList<SecurityGroupRule> IngressRules =>
        Ports.AdminOnly.SelectMany(port => AdminCidrs.Select(cidr => new SecurityGroupRule(null, "ingress", EthertypeOf(cidr), "tcp", port, port, cidr)))
            .Concat(Ports.Public.SelectMany(port => new[]
            {
                new SecurityGroupRule(null, "ingress", "IPv4", "tcp", port, port, "0.0.0.0/0"),
                new SecurityGroupRule(null, "ingress", "IPv6", "tcp", port, port, "::/0"),
            }))
            .ToList();

    /// <summary>Checks what can be checked without the cloud; one line per problem.</summary>
    public void Validate()
    {
        var problems = new List<string>();
        if (AdminCidrs.Count == 0)
            problems.Add($"AdminCidrs is empty for {Name}: SSH (and so Deploy) would be closed to everyone. List the networks that deploy in .nuke/parameters.{Name}.json (0.0.0.0/0 opens it to all; SSH is key-only).");
        foreach (var cidr in AdminCidrs.Where(c => !IsCidr(c)))
            problems.Add($"AdminCidrs of {Name}: '{cidr}' is not a CIDR block (like 203.0.113.0/24 or 2001:db8::/32).");
        if (Database.Databases.Count == 0) problems.Add($"Databases of {Name} is empty: list at least accoreboot and powersync_storage.");
        if (Database.Nodes < 1) problems.Add($"DbNodes of {Name} must be at least 1.");
        if (Database.BackupTime is { } time && !TimeOnly.TryParseExact(time, "HH:mm:ss", out _))
            problems.Add($"DbBackupTime of {Name} is '{time}': give a UTC time of day as HH:mm:ss (like 02:00:00), or an empty string for OVH's default.");
        if (!SshPublicKey.StartsWith("ssh-", StringComparison.Ordinal) && !SshPublicKey.StartsWith("ecdsa-", StringComparison.Ordinal))
            problems.Add($"SSH_PUBLIC_KEY of {Name}'s deploy key (its credentials, else the common ones) is not an OpenSSH public key (ssh-ed25519 AAAA…).");
        if (problems.Count > 0) throw new BuildFailure(string.Join(Environment.NewLine, problems));
    }

    private static string EthertypeOf(string cidr) => cidr.Contains(':') ? "IPv6" : "IPv4";

    private static bool IsCidr(string text) =>
        text.Split('/') is [var address, var bits] && IPAddress.TryParse(address, out var ip) && int.TryParse(bits, out var n) &&
        n >= 0 && n <= (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
}
