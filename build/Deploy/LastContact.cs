using System.Text.Json;
using AccoReboot.Deploy.Remote;
using BuildEngine;

namespace AccoReboot.Deploy;

/// <summary>
/// The instance this machine last reached for an environment (its id, address and pinned host key), kept in
/// .nuke/temp: a no-op Deploy connects to it while it reads the state, and uses that answer only when the state
/// names the very same instance, address and host key. Nothing in it is secret, and nothing is trusted from it
/// alone: it only lets the SSH round trip overlap the state read.
/// </summary>
sealed record LastContact(string InstanceId, string Ipv4, string HostKeyAlgorithm, string HostKey)
{
    public HostKey PinnedKey => new(HostKeyAlgorithm, HostKey);

    public bool Matches(DeployedEnvironment site) =>
        site.InstanceId == InstanceId && site.Ipv4 == Ipv4 && site.PinnedKey == PinnedKey;

    public static LastContact? Of(DeployedEnvironment site) =>
        site.PinnedKey is { } key ? new LastContact(site.InstanceId, site.Ipv4, key.Algorithm, key.PublicKeyBase64) : null;

    /// <summary>What the file holds; null when there is none or it cannot be read (it is only a head start).</summary>
    public static LastContact? Read(string? file)
    {
        if (file == null || !File.Exists(file)) return null;
        try
        {
            return JsonSerializer.Deserialize<LastContact>(File.ReadAllText(file), JsonTypes.Plain);
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public void WriteTo(string? file)
    {
        if (file == null || Read(file) == this) return;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            AtomicFile.WriteAllText(file, JsonSerializer.Serialize(this, JsonTypes.Plain));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // only a head start for the next no-op: not worth failing a deploy over
        }
    }
}
