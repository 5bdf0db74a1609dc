using System.Security.Cryptography;

namespace AccoReboot.Sandbox.Emulator;

sealed class EmulatedDbUser
{
    public required string Id { get; init; }
    public required string Username { get; init; }
    public required IReadOnlyList<string> Roles { get; init; }
    public required DateTimeOffset ReadyAt { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
}

sealed class EmulatedCluster
{
    public required string Id { get; init; }
    public required string Description { get; set; }
    public required string Plan { get; set; }
    public required string Version { get; set; }
    public required string Flavor { get; set; }
    public required string Region { get; init; }
    public required int Nodes { get; set; }
    public int? DiskSize { get; set; }
    public string BackupTime { get; set; } = "02:00:00";
    public List<(string Ip, string? Description)> IpRestrictions { get; set; } = [];
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset ReadyAt { get; init; }
    public DateTimeOffset? UpdatingUntil { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }
    public Dictionary<string, string> Databases { get; } = new(); // id → name
    public Dictionary<string, EmulatedDbUser> Users { get; } = new();

    public string? Status(DateTimeOffset now) =>
        DeletedAt is { } deleted ? (now < deleted ? "DELETING" : null)
        : now < ReadyAt ? "CREATING"
        : UpdatingUntil is { } until && now < until ? "UPDATING"
        : "READY";
}

sealed class EmulatedServer
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Region { get; init; }
    public required string FlavorId { get; init; }
    public required string ImageId { get; init; }
    public required string KeyName { get; init; }
    public required IReadOnlyList<string> SecurityGroups { get; init; }
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }
    public required string UserData { get; init; }
    public required string Ipv4 { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset ActiveAt { get; init; }
    public string? Fault { get; set; }
    public bool PoweredOff { get; set; }
    public DateTimeOffset PowerChangeAt { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }
    public DateTimeOffset RebootedAt { get; set; }

    public string? Status(DateTimeOffset now) =>
        DeletedAt is { } deleted ? (now < deleted ? "ACTIVE" : null) // Nova shows the old status with task_state deleting
        : Fault != null ? "ERROR"
        : now < ActiveAt ? "BUILD"
        : now < RebootedAt ? "HARD_REBOOT"
        : now < PowerChangeAt ? (PoweredOff ? "ACTIVE" : "SHUTOFF")
        : PoweredOff ? "SHUTOFF" : "ACTIVE";
}

sealed record EmulatedRule(string Id, string GroupId, string Direction, string Ethertype, string? Protocol, int? PortMin, int? PortMax, string? RemoteIpPrefix);

sealed class EmulatedSecurityGroup
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Region { get; init; }
    public string Description { get; init; } = "";
    public List<EmulatedRule> Rules { get; } = [];
}

sealed record EmulatedKeypair(string Name, string Region, string PublicKey, string Fingerprint, DateTimeOffset CreatedAt);

sealed record EmulatedImage(string Id, string Name, string Status, DateTimeOffset CreatedAt);

sealed record EmulatedFlavor(string Id, string Name, int Vcpus, int Ram, int Disk);

/// <summary>Everything the emulated OVH project holds, behind one lock. Statuses follow the clock.</summary>
sealed class EmulatorWorld(EmulatorOptions options, TimeProvider clock)
{
    public object Gate { get; } = new();
    public EmulatorOptions Options => options;
    public DateTimeOffset Now => clock.GetUtcNow();

    public Dictionary<string, EmulatedCluster> Clusters { get; } = new();
    public Dictionary<string, EmulatedServer> Servers { get; } = new();
    public Dictionary<string, EmulatedSecurityGroup> SecurityGroups { get; } = new();
    public Dictionary<(string region, string name), EmulatedKeypair> Keypairs { get; } = new();
    public Dictionary<string, string> Tokens { get; } = new(); // token → expiry (round-trip string)
    public Dictionary<string, string> ExternalNetworks { get; } = options.Regions.ToDictionary(r => r, _ => Guid.NewGuid().ToString());
    public Dictionary<string, EmulatedZone> Zones { get; } = options.DnsZones.ToDictionary(z => z, z => new EmulatedZone(z));
    public int ServersCreated { get; set; }
    public ApplyTimeline Timeline { get; } = new();

    public IReadOnlyList<EmulatedFlavor> Flavors { get; } =
    [
        new(Guid.NewGuid().ToString(), "b3-8", 2, 8000, 50),
        new(Guid.NewGuid().ToString(), "b3-16", 4, 16000, 100),
        new(Guid.NewGuid().ToString(), "b3-32", 8, 32000, 200),
        new(Guid.NewGuid().ToString(), "d2-4", 2, 4000, 50),
        new(Guid.NewGuid().ToString(), "c3-8", 4, 8000, 100),
    ];

    public IReadOnlyList<EmulatedImage> Images { get; } =
    [
        new(Guid.NewGuid().ToString(), "Ubuntu 24.04", "active", new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero)),
        new(Guid.NewGuid().ToString(), "Ubuntu 24.04", "active", new DateTimeOffset(2026, 10, 14, 0, 0, 0, TimeSpan.Zero)),
        new(Guid.NewGuid().ToString(), "Ubuntu 24.04", "deactivated", new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero)),
        new(Guid.NewGuid().ToString(), "Ubuntu 22.04", "active", new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero)),
        new(Guid.NewGuid().ToString(), "Debian 12", "active", new DateTimeOffset(2026, 1, 20, 0, 0, 0, TimeSpan.Zero)),
    ];

    public static readonly IReadOnlyList<string> DbVersions = ["15", "16", "17"];
    public static readonly IReadOnlyList<string> DbPlans = ["essential", "business", "enterprise"];
    public static readonly IReadOnlyList<string> DbFlavors = ["db1-4", "db1-7", "db1-15", "db1-30"];
    public static readonly IReadOnlyList<string> DbRegions = ["GRA", "SBG", "DE", "UK", "WAW", "BHS"];

    /// <summary>The nodes a plan runs (availability's min/max nodes: essential 1, business 2, enterprise 3; shared/reference/ovh-openstack.md).</summary>
    public static bool NodesFit(string plan, int nodes) => nodes == plan switch { "essential" => 1, "business" => 2, _ => 3 };

    public S3Store S3 { get; } = new();

    public void EnsureDefaultSecurityGroups()
    {
        foreach (var region in options.Regions)
        {
            if (SecurityGroups.Values.Any(g => g.Region == region && g.Name == "default")) continue;
            var group = new EmulatedSecurityGroup { Id = Guid.NewGuid().ToString(), Name = "default", Region = region, Description = "Default security group" };
            // OVH's default group lets everything in and out
            foreach (var ethertype in new[] { "IPv4", "IPv6" })
            foreach (var direction in new[] { "ingress", "egress" })
                group.Rules.Add(new EmulatedRule(Guid.NewGuid().ToString(), group.Id, direction, ethertype, null, null, null, null));
            SecurityGroups[group.Id] = group;
        }
    }

    public static string Fingerprint(string publicKey)
    {
        var parts = publicKey.Split(' ');
        var blob = parts.Length > 1 ? Convert.FromBase64String(parts[1]) : System.Text.Encoding.UTF8.GetBytes(publicKey);
        return string.Join(':', MD5.HashData(blob).Select(b => b.ToString("x2")));
    }
}
