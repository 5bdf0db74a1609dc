using System.Text.Json;

namespace AccoReboot.Deploy;

/// <summary>One container of the stack, as docker compose ps reports it.</summary>
sealed record ServiceState(string Service, string State, string Health, string Image, string Status)
{
    public bool IsUp => State == "running" && Health is "" or "healthy";
}

/// <summary>
/// Reads `docker compose ps --format json` (one JSON object per line, or an array from older compose), or the same
/// fields from `docker ps` (<see cref="Remote.RemoteLayout.FactsAndServices"/>), where the health is in the status.
/// </summary>
static class StackServices
{
    public static readonly IReadOnlyList<string> Expected = ["api", "caddy", "emqx", "powersync"];

    public static IReadOnlyList<ServiceState> Parse(string output)
    {
        var text = output.Trim();
        if (text.Length == 0) return [];
        var documents = text.StartsWith('[') ? [text] : text.Split('\n').Where(l => l.TrimStart().StartsWith('{'));
        var services = new List<ServiceState>();
        foreach (var document in documents)
        {
            using var json = JsonDocument.Parse(document);
            var items = json.RootElement.ValueKind == JsonValueKind.Array ? json.RootElement.EnumerateArray().ToList() : [json.RootElement];
            foreach (var item in items)
                services.Add(new ServiceState(Text(item, "Service"), Text(item, "State"),
                    item.TryGetProperty("Health", out _) ? Text(item, "Health") : HealthOf(Text(item, "Status")), Text(item, "Image"), Text(item, "Status")));
        }
        return services.OrderBy(s => s.Service, StringComparer.Ordinal).ToList();
    }

    /// <summary>Every expected service runs and is healthy.</summary>
    public static bool AllUp(IReadOnlyList<ServiceState> services) =>
        Expected.All(name => services.Any(s => s.Service == name && s.IsUp));

    /// <summary>docker ps gives the health only in its status text: "Up 2 minutes (healthy)".</summary>
    private static string HealthOf(string status) =>
        status.Contains("(healthy)", StringComparison.Ordinal) ? "healthy"
        : status.Contains("(unhealthy)", StringComparison.Ordinal) ? "unhealthy"
        : status.Contains("(health: starting)", StringComparison.Ordinal) ? "starting"
        : "";

    private static string Text(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";
}
