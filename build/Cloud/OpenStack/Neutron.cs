using System.Net;
using System.Text.Json.Nodes;

namespace AccoReboot.Cloud.OpenStack;

/// <summary>Neutron (network v2.0): the Ext-Net network, security groups and their rules.</summary>
sealed class Neutron(OpenStackClient client)
{
    private Task<JsonNode?> Send(HttpMethod method, string path, JsonNode? body, CancellationToken ct, params HttpStatusCode[] accepted) =>
        client.SendAsync("network", "v2.0", method, path, body, ct, accepted);

    public async Task<Network?> NetworkNamedAsync(string name, CancellationToken ct) =>
        (await Send(HttpMethod.Get, $"networks?name={Uri.EscapeDataString(name)}", null, ct))!["networks"]!.AsArray()
        .Select(n => new Network(n!["id"]!.GetValue<string>(), n["name"]!.GetValue<string>()))
        .FirstOrDefault(n => n.Name == name);

    public async Task<IReadOnlyList<SecurityGroup>> SecurityGroupsNamedAsync(string name, CancellationToken ct) =>
        (await Send(HttpMethod.Get, $"security-groups?name={Uri.EscapeDataString(name)}", null, ct))!["security_groups"]!.AsArray()
        .Select(g => ReadGroup(g!)).Where(g => g.Name == name).ToList();

    public async Task<SecurityGroup?> SecurityGroupAsync(string id, CancellationToken ct)
    {
        var node = await Send(HttpMethod.Get, $"security-groups/{Uri.EscapeDataString(id)}", null, ct, HttpStatusCode.NotFound);
        return node?["security_group"] is { } g ? ReadGroup(g) : null;
    }

    public async Task<SecurityGroup> CreateSecurityGroupAsync(string name, string description, CancellationToken ct) =>
        ReadGroup((await Send(HttpMethod.Post, "security-groups",
            new JsonObject { ["security_group"] = new JsonObject { ["name"] = name, ["description"] = description } }, ct))!["security_group"]!);

    public Task DeleteSecurityGroupAsync(string id, CancellationToken ct) =>
        Send(HttpMethod.Delete, $"security-groups/{Uri.EscapeDataString(id)}", null, ct, HttpStatusCode.NotFound);

    public async Task<SecurityGroupRule> CreateRuleAsync(string groupId, SecurityGroupRule rule, CancellationToken ct)
    {
        // the spec types ports as strings (Neutron converts them); absent values are left out, not sent as null
        var fields = new JsonObject
        {
            ["security_group_id"] = groupId,
            ["direction"] = rule.Direction,
            ["ethertype"] = rule.Ethertype,
        };
        if (rule.Protocol != null) fields["protocol"] = rule.Protocol;
        if (rule.PortMin is { } min) fields["port_range_min"] = min.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (rule.PortMax is { } max) fields["port_range_max"] = max.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (rule.RemoteIpPrefix != null) fields["remote_ip_prefix"] = rule.RemoteIpPrefix;
        var body = new JsonObject { ["security_group_rule"] = fields };
        return ReadRule((await Send(HttpMethod.Post, "security-group-rules", body, ct))!["security_group_rule"]!);
    }

    public Task DeleteRuleAsync(string id, CancellationToken ct) =>
        Send(HttpMethod.Delete, $"security-group-rules/{Uri.EscapeDataString(id)}", null, ct, HttpStatusCode.NotFound);

    private static SecurityGroup ReadGroup(JsonNode g) =>
        new(g["id"]!.GetValue<string>(), g["name"]?.GetValue<string>() ?? "",
            g["security_group_rules"] is JsonArray rules ? rules.Select(r => ReadRule(r!)).ToList() : []);

    private static SecurityGroupRule ReadRule(JsonNode r) =>
        new(r["id"]?.GetValue<string>(), r["direction"]?.GetValue<string>() ?? "", r["ethertype"]?.GetValue<string>() ?? "",
            r["protocol"]?.GetValue<string>(), Port(r["port_range_min"]), Port(r["port_range_max"]),
            r["remote_ip_prefix"]?.GetValue<string>());

    // Neutron answers numbers; its published schema says strings: take both
    private static int? Port(JsonNode? node) =>
        node == null ? null : int.Parse(node.ToString(), System.Globalization.CultureInfo.InvariantCulture);
}
