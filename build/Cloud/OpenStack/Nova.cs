using System.Net;
using System.Text.Json.Nodes;

namespace AccoReboot.Cloud.OpenStack;

/// <summary>Nova (compute v2.1): flavors, keypairs, servers and their actions. Paths as in apispecs/openstack/compute-subset.yaml.</summary>
sealed class Nova(OpenStackClient client)
{
    private Task<JsonNode?> Send(HttpMethod method, string path, JsonNode? body, CancellationToken ct, params HttpStatusCode[] accepted) =>
        client.SendAsync("compute", "v2.1", method, path, body, ct, accepted);

    public async Task<IReadOnlyList<Flavor>> FlavorsAsync(CancellationToken ct) =>
        (await Send(HttpMethod.Get, "flavors/detail", null, ct))!["flavors"]!.AsArray()
        .Select(f => new Flavor(f!["id"]!.ToString(), f["name"]!.GetValue<string>(), f["vcpus"]?.GetValue<int>() ?? 0,
            f["ram"]?.GetValue<int>() ?? 0, f["disk"]?.GetValue<int>() ?? 0)).ToList();

    public async Task<Keypair?> KeypairAsync(string name, CancellationToken ct)
    {
        var node = await Send(HttpMethod.Get, $"os-keypairs/{Uri.EscapeDataString(name)}", null, ct, HttpStatusCode.NotFound);
        return node?["keypair"] is { } k && k["name"] != null ? ReadKeypair(k) : null;
    }

    public async Task<Keypair> CreateKeypairAsync(string name, string publicKey, CancellationToken ct)
    {
        var body = new JsonObject { ["keypair"] = new JsonObject { ["name"] = name, ["public_key"] = publicKey } };
        return ReadKeypair((await Send(HttpMethod.Post, "os-keypairs", body, ct))!["keypair"]!);
    }

    public Task DeleteKeypairAsync(string name, CancellationToken ct) =>
        Send(HttpMethod.Delete, $"os-keypairs/{Uri.EscapeDataString(name)}", null, ct, HttpStatusCode.NotFound);

    /// <summary>Servers whose name is exactly <paramref name="name"/> (Nova's name filter is a regex, so it is anchored and escaped).</summary>
    public async Task<IReadOnlyList<Server>> ServersNamedAsync(string name, CancellationToken ct)
    {
        var filter = Uri.EscapeDataString("^" + System.Text.RegularExpressions.Regex.Escape(name) + "$");
        var node = await Send(HttpMethod.Get, $"servers/detail?name={filter}", null, ct);
        return node!["servers"]!.AsArray().Select(s => ReadServer(s!)).Where(s => s.Name == name && s.Status != "DELETED").ToList();
    }

    public async Task<Server?> ServerAsync(string id, CancellationToken ct)
    {
        var node = await Send(HttpMethod.Get, $"servers/{Uri.EscapeDataString(id)}", null, ct, HttpStatusCode.NotFound);
        return node?["server"] is { } s && s["id"] != null ? ReadServer(s) : null;
    }

    public async Task<string> CreateServerAsync(ServerCreation server, CancellationToken ct)
    {
        var metadata = new JsonObject();
        foreach (var (key, value) in server.Metadata) metadata[key] = value;
        var body = new JsonObject
        {
            ["server"] = new JsonObject
            {
                ["name"] = server.Name,
                ["flavorRef"] = server.FlavorId,
                ["imageRef"] = server.ImageId,
                ["networks"] = new JsonArray(new JsonObject { ["uuid"] = server.NetworkId }),
                ["key_name"] = server.KeyName,
                // our own group only: omitting security_groups attaches OVH's "default", which is wide open
                ["security_groups"] = new JsonArray(new JsonObject { ["name"] = server.SecurityGroup }),
                ["user_data"] = server.UserDataBase64,
                ["metadata"] = metadata,
                ["config_drive"] = true,
            },
        };
        return (await Send(HttpMethod.Post, "servers", body, ct))!["server"]!["id"]!.GetValue<string>();
    }

    public Task DeleteServerAsync(string id, CancellationToken ct) =>
        Send(HttpMethod.Delete, $"servers/{Uri.EscapeDataString(id)}", null, ct, HttpStatusCode.NotFound);

    public Task StopAsync(string id, CancellationToken ct) => Action(id, "os-stop", null, ct);
    public Task StartAsync(string id, CancellationToken ct) => Action(id, "os-start", null, ct);

    /// <summary>A HARD reboot (compute API "reboot" action): the power cycled, as a host's own crash would, whatever runs on it.</summary>
    public Task RebootAsync(string id, CancellationToken ct) => Action(id, "reboot", new JsonObject { ["type"] = "HARD" }, ct);

    public async Task<string> ConsoleOutputAsync(string id, CancellationToken ct)
    {
        var node = await Send(HttpMethod.Post, $"servers/{Uri.EscapeDataString(id)}/action",
            new JsonObject { ["os-getConsoleOutput"] = new JsonObject { ["length"] = null } }, ct);
        return node?["output"]?.GetValue<string>() ?? "";
    }

    private Task Action(string id, string action, JsonNode? argument, CancellationToken ct) =>
        Send(HttpMethod.Post, $"servers/{Uri.EscapeDataString(id)}/action", new JsonObject { [action] = argument }, ct);

    private static Keypair ReadKeypair(JsonNode k) =>
        new(k["name"]!.GetValue<string>(), k["public_key"]?.GetValue<string>() ?? "", k["fingerprint"]?.GetValue<string>());

    private static Server ReadServer(JsonNode s)
    {
        string? ipv4 = null;
        if (s["addresses"]?["Ext-Net"] is JsonArray addresses)
            ipv4 = addresses.FirstOrDefault(a => a?["version"]?.GetValue<int>() == 4)?["addr"]?.GetValue<string>();
        var metadata = s["metadata"] is JsonObject m ? m.ToDictionary(p => p.Key, p => p.Value?.ToString() ?? "") : new Dictionary<string, string>();
        var groups = s["security_groups"] is JsonArray g ? g.Select(x => x?["name"]?.GetValue<string>() ?? "").ToList() : [];
        return new Server(
            s["id"]!.GetValue<string>(), s["name"]?.GetValue<string>() ?? "", s["status"]?.GetValue<string>() ?? "UNKNOWN",
            s["fault"]?["message"]?.GetValue<string>(), ipv4,
            s["flavor"]?["id"]?.ToString(), s["image"] is JsonObject image ? image["id"]?.ToString() : null,
            s["key_name"]?.GetValue<string>(), metadata, groups);
    }
}
