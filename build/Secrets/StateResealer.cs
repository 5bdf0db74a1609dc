using System.Text.Json.Nodes;
using AccoReboot.State;
using BuildEngine;

namespace AccoReboot.Secrets;

/// <summary>
/// SopsUpdateKeys' second half: every sealed value in an environment's state (the database password, in its outputs
/// and its resource's slice, and the API's JWT keys) opened and sealed again to the recipients of its credentials file
/// today, so a member added can Deploy and a member removed can no longer open what is sealed from now on. What a
/// removed member could open before is marked for rotation in the state (RotationDue): they may have kept it.
/// </summary>
static class StateResealer
{
    /// <summary>The state with its sealed values sealed again, and what it newly marks for rotation (what → why).</summary>
    public static async Task<(StateDocument state, int resealed, IReadOnlyDictionary<string, string> due)> ResealAsync(
        StateDocument state, Func<string, Task<(string resealed, IReadOnlyList<string>? removed)>> reseal, string when)
    {
        var root = JsonNode.Parse(state.Serialize())!;
        var removedBy = new Dictionary<string, HashSet<string>>(); // what → removed recipients
        var count = 0;
        async Task Walk(JsonNode? node, string path)
        {
            switch (node)
            {
                case JsonObject obj:
                    foreach (var (name, child) in obj.ToList())
                    {
                        if (child is JsonValue value && value.TryGetValue<string>(out var text) && StateSecrets.IsSealed(text))
                        {
                            var (again, removed) = await reseal(text);
                            obj[name] = again;
                            count++;
                            if (removed is { Count: > 0 })
                            {
                                var what = path.Contains("sealedJwtKeys", StringComparison.Ordinal) || name.StartsWith("jwt-", StringComparison.Ordinal)
                                    ? StateDocument.JwtKeyRotation : StateDocument.DatabasePasswordRotation;
                                if (!removedBy.TryGetValue(what, out var set)) removedBy[what] = set = [];
                                set.UnionWith(removed);
                            }
                        }
                        else await Walk(child, path + "/" + name);
                    }
                    break;
                case JsonArray array:
                    foreach (var child in array) await Walk(child, path + "[]");
                    break;
            }
        }
        await Walk(root, "");
        var due = removedBy.ToDictionary(e => e.Key, e => $"{string.Join(", ", e.Value.Order(StringComparer.Ordinal))} removed by SopsUpdateKeys {when}");
        var resealed = StateDocument.Parse(root.ToJsonString(), "the re-sealed state");
        var merged = resealed.RotationDue.ToDictionary();
        foreach (var (what, why) in due) merged[what] = why;
        return (resealed with { RotationDue = merged }, count, due);
    }
}
