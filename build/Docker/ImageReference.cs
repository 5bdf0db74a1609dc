using System.Net;

namespace AccoReboot.Docker;

/// <summary>registry/repository:tag, e.g. registry.example.com/accoreboot-api:3f2a1c9d0b7e.</summary>
sealed record ImageReference(string Registry, string Repository, string Tag)
{
    public override string ToString() => $"{Registry}/{Repository}:{Tag}";

    public ImageReference WithTag(string tag) => this with { Tag = tag };

    /// <summary>Docker talks plain http to registries on loopback addresses, https to the others.</summary>
    public Uri RegistryBaseUri
    {
        get
        {
            var host = Registry.Split(':')[0];
            var loopback = host == "localhost" || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
            return new Uri($"{(loopback ? "http" : "https")}://{Registry}/");
        }
    }
}
