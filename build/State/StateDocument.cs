using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using BuildEngine;

namespace AccoReboot.State;

/// <summary>The SSH host key of one instance, pinned at first contact: it holds for that instance only.</summary>
sealed record HostKeyState(string Algorithm, string PublicKey, string Fingerprint, DateTimeOffset PinnedAt, string? InstanceId = null);

/// <summary>The release running on one instance, as the last deploy left it.</summary>
sealed record ReleaseState(string Id, string Image, DateTimeOffset At, string By, string? InstanceId = null);

/// <summary>
/// The deploy keys one instance authorizes (fingerprints as its metadata has them), when Rotate --what deploy-key
/// changed them after it was made: its metadata still names the key it was made with.
/// </summary>
sealed record DeployKeysState(string InstanceId, IReadOnlyList<string> Sha256, DateTimeOffset At);

sealed record ChangeRecord(DateTimeOffset At, string By, string Operation);

/// <summary>
/// What the resources give to what runs on them (Terraform's outputs): the instance's address, the database's
/// endpoint, CA and sealed password. Written with the resources, read by Deploy and the read-only targets, which
/// so never need to know how a resource keeps its own state.
/// </summary>
sealed record EnvironmentOutputs
{
    public string? InstanceId { get; init; }
    public string? Ipv4 { get; init; }
    public string? DatabaseHost { get; init; }
    public int? DatabasePort { get; init; }
    public string? DatabaseCa { get; init; }
    public string? DatabaseStatus { get; init; }
    public string? DatabaseUser { get; init; }
    public string? SealedDatabasePassword { get; init; }
}

/// <summary>
/// What the build knows of one environment: each resource's own slice (ids of what it created, what it learnt),
/// keyed by its address, the outputs they give, and the facts of the deploy (pinned host key, running release),
/// which name the instance they belong to. Secrets appear only sealed to the environment's age recipients. One
/// JSON document per environment in the state bucket.
/// </summary>
sealed record StateDocument
{
    /// <summary>Bumped when the format changes incompatibly; a newer format is refused, never rewritten.</summary>
    public const int CurrentFormat = 2;

    public int Format { get; init; } = CurrentFormat;
    public required string Environment { get; init; }
    public long Serial { get; init; }

    /// <summary>Each resource's slice of the state, by address (kind.name), as the resource writes it.</summary>
    public IReadOnlyDictionary<string, JsonElement> Resources
    {
        get => _resources;
        // sorted by address, whatever built it: the document reads (and diffs) the same from one write to the next
        init => _resources = new SortedDictionary<string, JsonElement>(value.ToDictionary(), StringComparer.Ordinal);
    }

    private readonly IReadOnlyDictionary<string, JsonElement> _resources = new SortedDictionary<string, JsonElement>(StringComparer.Ordinal);

    public EnvironmentOutputs Outputs { get; init; } = new();
    public HostKeyState? HostKey { get; init; }

    /// <summary>
    /// The API's JWT signing keys, file name → PEM sealed to the environment's recipients: kept here, not only on the
    /// instance's disk, so that a new instance signs with the same keys and tokens issued before stay valid.
    /// </summary>
    public IReadOnlyDictionary<string, string> SealedJwtKeys { get; init; } = new Dictionary<string, string>();
    public ReleaseState? Release { get; init; }
    public DeployKeysState? DeployKeys { get; init; }
    public ChangeRecord? LastChange { get; init; }

    /// <summary>
    /// Secrets someone can no longer be trusted with (SopsUpdateKeys removed a recipient who could open them): what →
    /// why. Apply rotates the database password and removes its entry; the others stay listed until rotated.
    /// </summary>
    public IReadOnlyDictionary<string, string> RotationDue { get; init; } = new Dictionary<string, string>();

    /// <summary>JWT key files still published for the tokens they signed, each retired (removed) after its time.</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> JwtKeysRetiring { get; init; } = new Dictionary<string, DateTimeOffset>();

    public const string DatabasePasswordRotation = "database password";
    public const string JwtKeyRotation = "API JWT key";

    public bool IsEmpty => Resources.Count == 0;

    /// <summary>The slice of the resource at <paramref name="address"/>, or null when the state holds none.</summary>
    public T? Slice<T>(string address) where T : class =>
        Resources.TryGetValue(address, out var element) ? element.Deserialize<T>(Json) : null;

    public StateDocument WithSlice<T>(string address, T? slice) where T : class
    {
        var resources = Resources.ToDictionary();
        if (slice == null) resources.Remove(address);
        else resources[address] = JsonSerializer.SerializeToElement(slice, Json);
        return this with { Resources = resources };
    }

    /// <summary>The host key pinned for this very instance (a replaced instance has another, not yet pinned).</summary>
    public HostKeyState? HostKeyOf(string instanceId) => HostKey?.InstanceId == instanceId ? HostKey : null;

    public ReleaseState? ReleaseOn(string instanceId) => Release?.InstanceId == instanceId ? Release : null;

    /// <summary>The deploy keys a rotation left authorized on this very instance (null: the one it was made with).</summary>
    public IReadOnlyList<string>? DeployKeysOn(string instanceId) => DeployKeys?.InstanceId == instanceId ? DeployKeys.Sha256 : null;

    /// <summary>Same content (records compare their dictionaries by reference).</summary>
    public bool SameAs(StateDocument other) => Serialize() == other.Serialize();

    public static readonly JsonSerializerOptions Json = JsonTypes.Over(new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    });

    public string Serialize() => JsonSerializer.Serialize(this, Json) + "\n";

    public static StateDocument Parse(string text, string where)
    {
        JsonNode? root;
        int format;
        try
        {
            root = JsonNode.Parse(text);
            format = root?["format"]?.GetValue<int>() ?? 0;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new BuildFailure($"{where} is not valid JSON ({e.Message}); restore a previous version from the bucket's versions.");
        }
        if (format > CurrentFormat)
            throw new BuildFailure($"{where} was written by a newer version of this build (state format {format}, this one reads {CurrentFormat}): update your checkout before touching this environment.");
        if (format < 1 || root is not JsonObject document)
            throw new BuildFailure($"{where} has no state format: it was not written by this build.");
        if (format == 1) document = StateFormat1.Upgrade(document);
        return document.Deserialize<StateDocument>(Json)!;
    }
}
