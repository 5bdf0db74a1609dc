using AccoReboot.Cloud.OpenStack;
using AccoReboot.Cloud.Ovh;

namespace AccoReboot.Infra;

/// <summary>What exists in the cloud for one environment, as read just now, plus the lookups the plan needs.</summary>
sealed record LiveSnapshot
{
    public SecurityGroup? SecurityGroup { get; init; }
    public Keypair? Keypair { get; init; }
    public Server? Server { get; init; }
    public DbService? Cluster { get; init; }

    /// <summary>Database name → id, in the cluster.</summary>
    public IReadOnlyDictionary<string, string> Databases { get; init; } = new Dictionary<string, string>();

    public DbUser? User { get; init; }

    /// <summary>Whether the state holds the user's password (sealed), for this very user.</summary>
    public bool UserPasswordKnown { get; init; }

    public string? FlavorId { get; init; }
    public string? ImageId { get; init; }
    public string? NetworkId { get; init; }

    /// <summary>Flavor id → name, to show a server's current flavor by name.</summary>
    public IReadOnlyDictionary<string, string> FlavorNames { get; init; } = new Dictionary<string, string>();

    public bool ServerExists => Server != null;
    public string? ClusterRegion => Cluster?.Nodes?.FirstOrDefault()?.Region;
}
