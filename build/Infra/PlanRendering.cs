using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AccoReboot.Infra;

/// <summary>A plan as people read it (terraform's markers) and as programs read it (terraform show -json's shape).</summary>
static class PlanRendering
{
    public static string Text(InfraPlan plan)
    {
        var text = new StringBuilder();
        var changed = plan.Changes.Where(c => c.Action != ChangeAction.NoOp).ToList();
        if (changed.Count == 0)
            text.AppendLine($"No changes: {plan.Environment} matches its profile.");
        foreach (var change in changed)
        {
            var replace = change.Action == ChangeAction.Replace ? "   (forces replacement)" : "";
            text.AppendLine($"  {Marker(change.Action),3} {change.Address}{replace}");
            foreach (var attribute in change.Attributes)
            {
                var line = (attribute.Before, attribute.After) switch
                {
                    (null, { } after) => $"+ {attribute.Name}: {after}",
                    ({ } before, null) => $"- {attribute.Name}: {before}",
                    var (before, after) => $"~ {attribute.Name}: {before} → {after}",
                };
                text.AppendLine($"        {line}{(attribute.ForcesReplacement ? "   # forces replacement" : "")}");
            }
            if (change.Note != null) text.AppendLine($"        # {change.Note}");
        }
        foreach (var note in plan.Changes.Where(c => c.Action == ChangeAction.NoOp && c.Note != null))
            text.AppendLine($"      {note.Address}: {note.Note}");
        var unchanged = plan.Changes.Count(c => c.Action == ChangeAction.NoOp);
        text.AppendLine();
        text.AppendLine(plan.Summary + (unchanged > 0 ? $" {unchanged} unchanged." : ""));
        return text.ToString();
    }

    public static string Json(InfraPlan plan)
    {
        var document = new JsonObject
        {
            ["format_version"] = "1.0",
            ["environment"] = plan.Environment,
            ["destroy"] = plan.IsDestroy,
            ["changes_pending"] = plan.HasChanges,
            ["resource_changes"] = new JsonArray(plan.Changes.Select(c => (JsonNode)new JsonObject
            {
                ["address"] = c.Address,
                ["kind"] = c.Kind,
                ["name"] = c.Name,
                ["actions"] = new JsonArray(Actions(c.Action).Select(a => (JsonNode)JsonValue.Create(a)!).ToArray()),
                ["changes"] = new JsonArray(c.Attributes.Select(a => (JsonNode)new JsonObject
                {
                    ["attribute"] = a.Name,
                    ["before"] = a.Before,
                    ["after"] = a.After,
                    ["forces_replacement"] = a.ForcesReplacement,
                }).ToArray()),
                ["note"] = c.Note,
            }).ToArray()),
            ["summary"] = new JsonObject
            {
                ["add"] = plan.Count(ChangeAction.Create),
                ["change"] = plan.Count(ChangeAction.Update),
                ["replace"] = plan.Count(ChangeAction.Replace),
                ["destroy"] = plan.Count(ChangeAction.Delete),
            },
        };
        return document.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static string Marker(ChangeAction action) => action switch
    {
        ChangeAction.Create => "+",
        ChangeAction.Update => "~",
        ChangeAction.Replace => "-/+",
        ChangeAction.Delete => "-",
        ChangeAction.Keep => "=",
        _ => " ",
    };

    private static string[] Actions(ChangeAction action) => action switch
    {
        ChangeAction.Create => ["create"],
        ChangeAction.Update => ["update"],
        ChangeAction.Replace => ["delete", "create"],
        ChangeAction.Delete => ["delete"],
        _ => ["no-op"],
    };
}
