using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace AccoReboot.Sandbox.Emulator;

/// <summary>A DNS zone managed at OVHcloud, as the emulator keeps it: its records, and how often it was refreshed.</summary>
sealed class EmulatedZone(string name)
{
    public string Name { get; } = name;
    public Dictionary<long, EmulatedRecord> Records { get; } = new();
    public long NextId { get; set; } = 5_000_001;

    /// <summary>Records as published: a change counts only after POST .../refresh (apispecs README).</summary>
    public Dictionary<long, EmulatedRecord> Published { get; set; } = new();
}

sealed record EmulatedRecord(long Id, string FieldType, string SubDomain, string Target, int Ttl);

/// <summary>
/// The /domain/zone API as far as the build uses it (apispecs/ovh-domain-subset.json): a zone's records by type and
/// sub-domain, create, read, edit, delete, and the refresh that publishes them. An A record's target must be an IPv4
/// address, as OVH checks it.
/// </summary>
sealed class DomainHandler(EmulatorWorld world)
{
    public EmulatorResponse Handle(EmulatorRequest request, string zoneName, IReadOnlyList<string> rest)
    {
        if (!world.Zones.TryGetValue(zoneName, out var zone))
            return OvhHandler.Error(404, "Client::NotFound", $"This service does not exist ({zoneName})");
        return (request.Method, rest) switch
        {
            ("GET", []) => EmulatorResponse.Json(200, new JsonObject
            {
                ["name"] = zone.Name,
                ["nameServers"] = new JsonArray("dns200.anycast.me", "ns200.anycast.me"),
                ["dnssecSupported"] = true,
                ["hasDnsAnycast"] = false,
                ["lastUpdate"] = world.Now.ToString("yyyy-MM-ddTHH:mm:ssK", CultureInfo.InvariantCulture),
            }),
            ("GET", ["record"]) => EmulatorResponse.Json(200, new JsonArray(zone.Records.Values
                .Where(r => !request.Query.TryGetValue("fieldType", out var type) || r.FieldType == type)
                .Where(r => !request.Query.TryGetValue("subDomain", out var sub) || r.SubDomain == sub)
                .OrderBy(r => r.Id).Select(r => (JsonNode)JsonValue.Create(r.Id)!).ToArray())),
            ("POST", ["record"]) => Create(zone, request.Json!),
            ("GET", ["record", var id]) => WithRecord(zone, id, record => EmulatorResponse.Json(200, Json(zone, record))),
            ("PUT", ["record", var id]) => WithRecord(zone, id, record => Edit(zone, record, request.Json!)),
            ("DELETE", ["record", var id]) => WithRecord(zone, id, record =>
            {
                zone.Records.Remove(record.Id);
                return EmulatorResponse.Empty(200);
            }),
            ("POST", ["refresh"]) => Refresh(zone),
            _ => OvhHandler.Error(404, "Client::NotFound", $"{request.Method} {request.Path} is not emulated"),
        };
    }

    private EmulatorResponse Create(EmulatedZone zone, JsonNode body)
    {
        var type = body["fieldType"]!.GetValue<string>();
        var target = body["target"]!.GetValue<string>();
        if (type == "A" && !(IPAddress.TryParse(target, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork))
            return OvhHandler.Error(400, "Client::BadRequest", $"Invalid target {target} for an A record");
        var record = new EmulatedRecord(zone.NextId++, type, body["subDomain"]?.GetValue<string>() ?? "", target, body["ttl"]?.GetValue<int>() ?? 0);
        zone.Records[record.Id] = record;
        return EmulatorResponse.Json(200, Json(zone, record));
    }

    private static EmulatorResponse Edit(EmulatedZone zone, EmulatedRecord record, JsonNode body)
    {
        var target = body["target"]?.GetValue<string>() ?? record.Target;
        if (record.FieldType == "A" && !(IPAddress.TryParse(target, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork))
            return OvhHandler.Error(400, "Client::BadRequest", $"Invalid target {target} for an A record");
        zone.Records[record.Id] = record with
        {
            Target = target,
            Ttl = body["ttl"]?.GetValue<int>() ?? record.Ttl,
            SubDomain = body["subDomain"]?.GetValue<string>() ?? record.SubDomain,
        };
        return EmulatorResponse.Empty(200);
    }

    private static EmulatorResponse Refresh(EmulatedZone zone)
    {
        zone.Published = new Dictionary<long, EmulatedRecord>(zone.Records);
        return EmulatorResponse.Empty(200);
    }

    private static EmulatorResponse WithRecord(EmulatedZone zone, string id, Func<EmulatedRecord, EmulatorResponse> action) =>
        long.TryParse(id, out var number) && zone.Records.TryGetValue(number, out var record)
            ? action(record)
            : OvhHandler.Error(404, "Client::NotFound", $"The requested object (id = {id}) does not exist");

    private static JsonObject Json(EmulatedZone zone, EmulatedRecord record) => new()
    {
        ["id"] = record.Id,
        ["zone"] = zone.Name,
        ["fieldType"] = record.FieldType,
        ["subDomain"] = record.SubDomain,
        ["target"] = record.Target,
        ["ttl"] = record.Ttl,
    };
}

/// <summary>The emulated zones as a DNS server answers from them: published A records only (what a refresh made live).</summary>
static class EmulatedDns
{
    /// <summary>The IPv4 addresses of <paramref name="name"/>; null when no emulated zone holds the name (not ours to answer).</summary>
    public static IReadOnlyList<string>? AddressesOf(EmulatorWorld world, string name)
    {
        name = name.TrimEnd('.').ToLowerInvariant();
        lock (world.Gate)
        {
            var zone = world.Zones.Values.FirstOrDefault(z => name == z.Name || name.EndsWith("." + z.Name, StringComparison.Ordinal));
            if (zone == null) return null;
            var subDomain = name == zone.Name ? "" : name[..^(zone.Name.Length + 1)];
            return zone.Published.Values.Where(r => r.FieldType == "A" && r.SubDomain.Equals(subDomain, StringComparison.OrdinalIgnoreCase))
                .OrderBy(r => r.Id).Select(r => r.Target).ToList();
        }
    }
}
