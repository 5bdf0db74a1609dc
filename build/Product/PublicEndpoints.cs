using AccoReboot.Deploy;

namespace AccoReboot.Product;

/// <summary>
/// Where a deployed environment answers from outside: Caddy's site (HTTPS with a domain whose DNS points at the
/// instance), EMQX's MQTT ports (plain, and TLS with a domain), the websocket and PowerSync behind Caddy. Every
/// connection goes to the instance's address (<see cref="SiteConnections"/>).
/// </summary>
sealed record PublicEndpoints(Uri Site, string MqttHost, int MqttPort, SiteConnections Connections, int? MqttTlsPort = null, Uri? HttpSite = null)
{
    public Uri Health => new(Site, "health");
    public Uri WebSocket => new UriBuilder(Site) { Scheme = Site.Scheme == "https" ? "wss" : "ws", Path = "/mqtt" }.Uri;
    public Uri PowerSync => new(Site, "powersync/");
    public Uri Api(string path) => new(Site, "api/" + path.TrimStart('/'));
    public bool Https => Site.Scheme == "https";

    /// <summary>
    /// The instance's address, or the domain when the profile has one: over HTTPS (and MQTT over TLS) when
    /// <paramref name="https"/>, i.e. its DNS points at the instance, as Deploy decides it.
    /// </summary>
    public static PublicEndpoints For(StackSettings stack, string ipv4, bool https = false, string siteRootPem = "")
    {
        var host = string.IsNullOrEmpty(stack.Domain) ? ipv4 : stack.Domain;
        var http = new UriBuilder("http", host, stack.HttpPort == 80 ? -1 : stack.HttpPort, "/").Uri;
        var connections = new SiteConnections(host, ipv4, siteRootPem);
        if (!https || string.IsNullOrEmpty(stack.Domain)) return new PublicEndpoints(http, host, stack.MqttPort, connections);
        var site = new UriBuilder("https", host, stack.HttpsPort == 443 ? -1 : stack.HttpsPort, "/").Uri;
        return new PublicEndpoints(site, host, stack.MqttPort, connections, stack.MqttTlsPort, http);
    }

    /// <summary>The lines `Up` ends with: where everything answers.</summary>
    public IEnumerable<string> Describe() =>
    [
        $"{(Https ? "HTTPS" : "HTTP"),-10} {Site}",
        $"health     {Health}",
        $"MQTT       mqtt://{MqttHost}:{MqttPort}",
        .. MqttTlsPort is { } tls ? [$"MQTT/TLS   mqtts://{MqttHost}:{tls} (the domain's certificate, from Caddy)"] : Array.Empty<string>(),
        $"websocket  {WebSocket}",
        $"PowerSync  {PowerSync}",
    ];
}

/// <summary>The endpoints of a deployed site as the checks use them: HTTPS once the domain points at the instance, as Deploy decides it.</summary>
static class PublicSite
{
    public static async Task<PublicEndpoints> EndpointsAsync(StackSettings stack, string ipv4, BuildEngine.BuildLog log, CancellationToken ct)
    {
        var https = false;
        if (stack.Domain is { Length: > 0 } domain)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            try
            {
                https = (await new DomainResolver(stack.DnsServer).AddressesAsync(domain, timeout.Token)).Contains(ipv4);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
            }
            if (!https) log.Warn($"DNS: {domain} does not point at the instance {ipv4}: checking its HTTP site (Caddy serves HTTPS once it does, after a Deploy).");
        }
        var root = stack.SiteCaRoot.Length > 0 && File.Exists(stack.SiteCaRoot) ? await File.ReadAllTextAsync(stack.SiteCaRoot, ct) : "";
        return PublicEndpoints.For(stack, ipv4, https, root);
    }
}
