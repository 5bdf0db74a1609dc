using System.Text;

namespace BuildEngine;

/// <summary>--plan: the targets that would run, in order, and why each is in the plan.</summary>
internal static class PlanText
{
    public static string Render(IReadOnlyList<ExecutableTarget> plan)
    {
        var runnable = plan.Where(t => !t.IsCollective).ToList();
        var text = new StringBuilder();
        text.AppendLine(string.Join(" → ", runnable.Select(t => t.Name)));
        text.AppendLine();
        var number = 0;
        foreach (var target in plan)
        {
            var why = target.IsInvoked ? "invoked"
                : plan.FirstOrDefault(t => t.ExecutionDependencies.Contains(target)) is { } dependent ? $"needed by {dependent.Name}"
                : plan.FirstOrDefault(t => t.Triggers.Contains(target)) is { } trigger ? $"triggered by {trigger.Name}"
                : "";
            var label = target.IsCollective ? "  (groups its dependencies, runs nothing itself)" : "";
            text.AppendLine(target.IsCollective
                ? $"    {target.Name}{label}{(why.Length > 0 ? $"  [{why}]" : "")}"
                : $"{++number,3}. {target.Name}{(why.Length > 0 ? $"  [{why}]" : "")}");
        }
        return text.ToString();
    }
}
