using System.Text.Json;
using System.Text.Json.Serialization;
using BuildEngine;

namespace AccoReboot.State;

sealed record SecurityGroupState(string Id, string Name);

sealed record KeypairState(string Name, string? Fingerprint);

sealed record InstanceState(string Id, string Name, string? Ipv4, string? Status);

sealed record DbClusterState(string Id, string Description, string? Status, string? Host, int? Port, string? CaCertificate);

sealed record DbUserState(string Id, string Username, string? SealedPassword);

/// <summary>The SSH host key of the instance, pinned at first contact; a replaced instance forgets it.</summary>
sealed record HostKeyState(string Algorithm, string PublicKey, string Fingerprint, DateTimeOffset PinnedAt);

/// <summary>The release running on the instance, as the last deploy left it.</summary>
sealed record ReleaseState(string Id, string Image, DateTimeOffset At, string By);

sealed record ChangeRecord(DateTimeOffset At, string By, string Operation);

/// <summary>
/// What the build knows of one environment: the ids of what it created, so a run finds them without searching,
/// and what it learnt (IPv4, DB endpoint and CA, host key). Secrets appear only sealed to the environment's age
/// recipients. One JSON document per environment in the state bucket.
/// </summary>
sealed record StateDocument
{
    /// <summary>Bumped when the format changes incompatibly; a newer format is refused, never rewritten.</summary>
    public const int CurrentFormat = 1;

    public int Format { get; init; } = CurrentFormat;
    public required string Environment { get; init; }
    public long Serial { get; init; }
    public SecurityGroupState? SecurityGroup { get; init; }
    public KeypairState? Keypair { get; init; }
    public InstanceState? Instance { get; init; }
    public DbClusterState? DbCluster { get; init; }
    public Dictionary<string, string> Databases { get; init; } = new();
    public DbUserState? DbUser { get; init; }
    public List<string> DbIpRestrictions { get; init; } = [];
    public HostKeyState? HostKey { get; init; }
    public ReleaseState? Release { get; init; }
    public ChangeRecord? LastChange { get; init; }

    public bool IsEmpty => SecurityGroup == null && Keypair == null && Instance == null && DbCluster == null;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string Serialize() => JsonSerializer.Serialize(this, Json) + "\n";

    public static StateDocument Parse(string text, string where)
    {
        int format;
        try
        {
            using var probe = JsonDocument.Parse(text);
            format = probe.RootElement.TryGetProperty("format", out var f) ? f.GetInt32() : 0;
        }
        catch (JsonException e)
        {
            throw new BuildFailure($"{where} is not valid JSON ({e.Message}); restore a previous version from the bucket's versions.");
        }
        if (format > CurrentFormat)
            throw new BuildFailure($"{where} was written by a newer version of this build (state format {format}, this one reads {CurrentFormat}): update your checkout before touching this environment.");
        if (format < 1)
            throw new BuildFailure($"{where} has no state format: it was not written by this build.");
        return JsonSerializer.Deserialize<StateDocument>(text, Json)!;
    }
}
