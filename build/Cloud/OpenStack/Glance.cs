using System.Text.Json.Nodes;

namespace AccoReboot.Cloud.OpenStack;

/// <summary>Glance (image v2): images by exact name.</summary>
sealed class Glance(OpenStackClient client)
{
    /// <summary>The newest active image with exactly this name, or null.</summary>
    public async Task<Image?> NewestActiveAsync(string name, CancellationToken ct)
    {
        var node = await client.SendAsync("image", "v2", HttpMethod.Get,
            $"images?name={Uri.EscapeDataString(name)}&status=active&sort=created_at:desc", null, ct);
        return node!["images"]!.AsArray().Select(i => new Image(
                i!["id"]!.GetValue<string>(), i["name"]?.GetValue<string>() ?? "", i["status"]?.GetValue<string>() ?? "",
                DateTimeOffset.Parse(i["created_at"]?.GetValue<string>() ?? "1970-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture)))
            .Where(i => i.Name == name && i.Status == "active")
            .OrderByDescending(i => i.CreatedAt)
            .FirstOrDefault();
    }

    /// <summary>Names of active images, for an error message that lists what exists.</summary>
    public async Task<IReadOnlyList<string>> ActiveNamesAsync(CancellationToken ct)
    {
        var node = await client.SendAsync("image", "v2", HttpMethod.Get, "images?status=active&limit=200", null, ct);
        return node!["images"]!.AsArray().Select(i => i!["name"]?.GetValue<string>() ?? "").Where(n => n.Length > 0).Distinct().Order().ToList();
    }
}
