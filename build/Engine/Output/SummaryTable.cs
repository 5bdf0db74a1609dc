namespace BuildEngine;

/// <summary>
/// The end-of-run table: one row per planned target with its status and duration, then the total. Laid out as
/// Spectre's "simple" table border draws it (blank top and bottom lines, a rule under the header), in plain text:
/// every run prints it, and Spectre's console costs more to set up than the table takes to write.
/// </summary>
internal static class SummaryTable
{
    public static string Text(IReadOnlyList<ExecutableTarget> plan, Func<string, string, string> colour)
    {
        var rows = new List<SummaryRow>();
        foreach (var target in plan.Where(t => t.Status != ExecutionStatus.Collective))
            rows.Add(new SummaryRow(target.Name, target.Status.ToString(), Colour(target.Status), target.SkipReason != null ? $"   // {target.SkipReason}" : "",
                HasDuration(target.Status) ? Format(target.Duration) : ""));
        var total = plan.Where(t => HasDuration(t.Status)).Aggregate(TimeSpan.Zero, (sum, t) => sum + t.Duration);
        var nameWidth = rows.Select(r => r.Name.Length).Append("Target".Length).Append("Total".Length).Max();
        var statusWidth = rows.Select(r => r.Status.Length + r.Note.Length).Append("Status".Length).Max();
        var durationWidth = rows.Select(r => r.Duration.Length).Append("Duration".Length).Append(Format(total).Length).Max();
        var width = 2 + nameWidth + 3 + statusWidth + 3 + durationWidth + 2;
        string Row(string name, string status, int statusLength, string duration) =>
            "  " + name.PadRight(nameWidth) + "   " + status + new string(' ', statusWidth - statusLength) + "   " + duration.PadLeft(durationWidth) + "  ";

        var lines = new List<string> { new(' ', width), Row("Target", "Status", "Status".Length, "Duration"), new('─', width) };
        foreach (var row in rows)
            lines.Add(Row(row.Name, colour(row.StatusColour, row.Status) + (row.Note.Length > 0 ? colour("90", row.Note) : ""), row.Status.Length + row.Note.Length, row.Duration));
        lines.Add(new string(' ', width));
        lines.Add(Row(colour("1", "Total".PadRight(nameWidth)), "", 0, colour("1", Format(total).PadLeft(durationWidth))));
        lines.Add(new string(' ', width));
        return string.Join(Environment.NewLine, lines);
    }

    // a class, not a value tuple: a List of a struct would be compiled by the JIT at the end of every run
    private sealed record SummaryRow(string Name, string Status, string StatusColour, string Note, string Duration);

    public static string Format(TimeSpan duration) =>
        duration < TimeSpan.FromSeconds(1) ? $"{duration.TotalMilliseconds:0} ms"
        : duration < TimeSpan.FromMinutes(1) ? $"{duration.TotalSeconds:0.0} s"
        : $"{(int)duration.TotalMinutes}:{duration.Seconds:00}";

    private static bool HasDuration(ExecutionStatus status) =>
        status is ExecutionStatus.Succeeded or ExecutionStatus.Failed or ExecutionStatus.Aborted;

    /// <summary>ANSI colour codes: green, red, grey, yellow.</summary>
    private static string Colour(ExecutionStatus status) => status switch
    {
        ExecutionStatus.Succeeded => "32",
        ExecutionStatus.Failed => "31",
        ExecutionStatus.Skipped => "90",
        _ => "33",
    };
}
