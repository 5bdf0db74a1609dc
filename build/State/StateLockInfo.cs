using System.Text.Json;

namespace AccoReboot.State;

/// <summary>Who holds the state lock: enough to tell a stale lock from a live one and to say so.</summary>
sealed record StateLockInfo(string Id, string Who, string Host, int Pid, string Operation, DateTimeOffset CreatedAt)
{
    public string Serialize() => JsonSerializer.Serialize(this, StateDocument.Json);

    public static StateLockInfo? TryParse(string text)
    {
        try
        {
            return JsonSerializer.Deserialize<StateLockInfo>(text, StateDocument.Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public string Describe(DateTimeOffset now)
    {
        var age = now - CreatedAt;
        var ago = age.TotalMinutes < 1 ? "just now" : age.TotalHours < 1 ? $"{(int)age.TotalMinutes} min ago" : $"{age.TotalHours:0.#} h ago";
        return $"{Who} on {Host} (pid {Pid}, {Operation}, since {CreatedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC, {ago})";
    }
}
