using AccoReboot.Deploy;

namespace AccoReboot.Product;

/// <summary>Where a deployed environment answers from outside: Caddy's site, EMQX's MQTT port, the websocket and PowerSync behind Caddy.</summary>
sealed record PublicEndpoints(Uri Site, string MqttHost, int MqttPort)
{
    public Uri Health => new(Site, "health");
    public Uri WebSocket => new UriBuilder(Site) { Scheme = Site.Scheme == "https" ? "wss" : "ws", Path = "/mqtt" }.Uri;
    public Uri PowerSync => new(Site, "powersync/");
    public Uri Api(string path) => new(Site, "api/" + path.TrimStart('/'));

    /// <summary>The instance's address (or the domain, when the profile has one) and the stack's published ports.</summary>
    public static PublicEndpoints For(StackSettings stack, string ipv4)
    {
        var host = string.IsNullOrEmpty(stack.Domain) ? ipv4 : stack.Domain;
        var site = new UriBuilder("http", host, stack.HttpPort == 80 ? -1 : stack.HttpPort, "/").Uri;
        return new PublicEndpoints(site, host, stack.MqttPort);
    }

    /// <summary>The lines `Up` ends with: where everything answers.</summary>
    public IEnumerable<string> Describe() =>
    [
        $"HTTP       {Site}",
        $"health     {Health}",
        $"MQTT       mqtt://{MqttHost}:{MqttPort}",
        $"websocket  {WebSocket}",
        $"PowerSync  {PowerSync}",
    ];
}
