using AccoReboot.Deploy.Remote;

namespace AccoReboot.Deploy;

/// <summary>
/// The instance to deploy to and how its host key is trusted: the key pinned in the state, else the fingerprints
/// cloud-init printed on the console, else a known_hosts file. A key trusted at first contact is handed to
/// <see cref="OnPinned"/> at once, so it is kept even when the deploy then fails.
/// </summary>
sealed record DeployTarget(
    SshTarget Ssh,
    HostKey? PinnedKey,
    Func<CancellationToken, Task<string>> ConsoleOutput,
    string? KnownHostsFile,
    Func<HostKey, Task>? OnPinned = null);

/// <summary>How long to wait and how many releases to keep.</summary>
sealed record DeployOptions(TimeSpan MarkerTimeout, TimeSpan UpTimeout, TimeSpan HealthTimeout, TimeSpan PollInterval, int KeepReleases, bool ForceUnlock)
{
    public static DeployOptions Default { get; } = new(TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(2), 5, false);
}

/// <summary>Where health is checked from the host: through Caddy, with TLS and the domain when there is one.</summary>
sealed record HealthEndpoint(string Url, string? Resolve, string? CaFile = null)
{
    /// <summary>With a private ACME CA (SiteCaRoot), curl trusts the issuing root the release carries.</summary>
    public static HealthEndpoint For(StackSettings settings) => settings is { ServesHttps: true, Domain: { } domain }
        ? new HealthEndpoint($"https://{domain}:{settings.HttpsPort}", $"{domain}:{settings.HttpsPort}:127.0.0.1",
            settings.SiteCaRoot.Length > 0 ? $"{settings.AppDirectory}/current/{ReleaseRenderer.SiteCaRootFile}" : null)
        : new HealthEndpoint($"http://127.0.0.1:{settings.HttpPort}", null);
}

/// <summary>Everything a release is made of, besides the templates.</summary>
/// <remarks><paramref name="JwtKeys"/>: the API's signing keys kept (sealed) in the state, file name → PEM, restored onto a new instance.</remarks>
sealed record StackInputs(StackSettings Settings, DatabaseConnection Database, StackSecrets Secrets, string? RegistryUser, string? RegistryPassword, string Registry,
    IReadOnlyDictionary<string, string>? JwtKeys = null)
{
    public override string ToString() => $"StackInputs {{ {Settings.Environment}, registry password **** }}";
}
