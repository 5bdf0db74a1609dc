using System.Text.Json.Nodes;

namespace AccoReboot.Sandbox.Emulator;

/// <summary>A request as the emulator's handlers see it: the path after the service prefix, split and decoded.</summary>
sealed record EmulatorRequest(
    string Service,
    string Method,
    IReadOnlyList<string> Segments,
    IReadOnlyDictionary<string, string> Query,
    IReadOnlyDictionary<string, string> Headers,
    byte[] RawBody,
    string Region)
{
    public string Body => System.Text.Encoding.UTF8.GetString(RawBody);
    public JsonNode? Json => Body.Trim().Length == 0 ? null : JsonNode.Parse(Body);
    public string Path => "/" + string.Join('/', Segments);
    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : null;
    public bool IsMutating => Method is "POST" or "PUT" or "DELETE";
}

/// <summary>What a handler answers.</summary>
sealed record EmulatorResponse(int Status, string Body = "", string ContentType = "application/json")
{
    public Dictionary<string, string> Headers { get; } = new();

    /// <summary>A body of bytes (an S3 object), sent as they are instead of <see cref="Body"/>.</summary>
    public byte[]? Bytes { get; init; }

    public static EmulatorResponse Json(int status, JsonNode? body) => new(status, body?.ToJsonString() ?? "");
    public static EmulatorResponse Empty(int status) => new(status, "", "");

    public EmulatorResponse With(string header, string value)
    {
        Headers[header] = value;
        return this;
    }
}
