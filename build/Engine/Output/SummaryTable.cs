using Spectre.Console;

namespace BuildEngine;

/// <summary>The end-of-run table: one row per planned target with its status and duration, then the total.</summary>
internal static class SummaryTable
{
    public static Table Render(IReadOnlyList<ExecutableTarget> plan)
    {
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("Target")
            .AddColumn("Status")
            .AddColumn(new TableColumn("Duration").RightAligned());
        foreach (var target in plan.Where(t => t.Status != ExecutionStatus.Collective))
        {
            var note = target.SkipReason != null ? $"   [grey]// {Markup.Escape(target.SkipReason)}[/]" : "";
            table.AddRow(
                Markup.Escape(target.Name),
                $"[{Colour(target.Status)}]{target.Status}[/]{note}",
                HasDuration(target.Status) ? Format(target.Duration) : "");
        }
        var total = plan.Where(t => HasDuration(t.Status)).Aggregate(TimeSpan.Zero, (sum, t) => sum + t.Duration);
        table.AddEmptyRow();
        table.AddRow("[bold]Total[/]", "", $"[bold]{Format(total)}[/]");
        return table;
    }

    public static string Format(TimeSpan duration) =>
        duration < TimeSpan.FromSeconds(1) ? $"{duration.TotalMilliseconds:0} ms"
        : duration < TimeSpan.FromMinutes(1) ? $"{duration.TotalSeconds:0.0} s"
        : $"{(int)duration.TotalMinutes}:{duration.Seconds:00}";

    private static bool HasDuration(ExecutionStatus status) =>
        status is ExecutionStatus.Succeeded or ExecutionStatus.Failed or ExecutionStatus.Aborted;

    private static string Colour(ExecutionStatus status) => status switch
    {
        ExecutionStatus.Succeeded => "green",
        ExecutionStatus.Failed => "red",
        ExecutionStatus.Skipped => "grey",
        _ => "yellow",
    };
}
