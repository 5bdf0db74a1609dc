using System.Collections.Concurrent;
using System.Diagnostics;
using BuildEngine;
using Spectre.Console;

namespace AccoReboot.Infra.Apply;

/// <summary>
/// Live progress of an apply, one row per resource with its elapsed time: a table redrawn in place on a terminal,
/// one line per change of status elsewhere (CI logs, files).
/// </summary>
sealed class ApplyProgress(BuildLog log)
{
    private sealed class Row
    {
        public required string Address { get; init; }
        public required string Action { get; init; }
        public string Status { get; set; } = "waiting";
        public Stopwatch? Clock { get; set; }
        public TimeSpan? Took { get; set; }
    }

    private readonly ConcurrentDictionary<string, Row> _rows = new();
    private readonly List<string> _order = [];

    public void Add(string address, string action)
    {
        _rows[address] = new Row { Address = address, Action = action };
        _order.Add(address);
    }

    public void Started(string address) => Update(address, "started", start: true);
    public void Status(string address, string status) => Update(address, status);
    public void Finished(string address) => Update(address, "done", finish: true);
    public void Failed(string address, string reason) => Update(address, "failed: " + reason, finish: true);
    public void Skipped(string address, string reason) => Update(address, reason);

    /// <summary>Runs the apply while the table is drawn (terminal) or the lines are written (elsewhere).</summary>
    public async Task RunAsync(Func<Task> apply)
    {
        if (!log.Console.Profile.Capabilities.Interactive || !log.Console.Profile.Capabilities.Ansi)
        {
            await apply();
            return;
        }
        await log.Console.Live(Table()).AutoClear(false).StartAsync(async live =>
        {
            var work = apply();
            while (!work.IsCompleted)
            {
                live.UpdateTarget(Table());
                await Task.WhenAny(work, Task.Delay(250));
            }
            live.UpdateTarget(Table());
            await work;
        });
    }

    private bool Interactive => log.Console.Profile.Capabilities.Interactive && log.Console.Profile.Capabilities.Ansi;

    private void Update(string address, string status, bool start = false, bool finish = false)
    {
        if (!_rows.TryGetValue(address, out var row) || row.Status == status) return;
        if (start) row.Clock = Stopwatch.StartNew();
        if (finish && row.Clock != null) row.Took = row.Clock.Elapsed;
        row.Status = status;
        if (!Interactive) log.Info($"  {Elapsed(row),7}  {row.Action,-8} {row.Address}: {status}");
    }

    private Table Table()
    {
        var table = new Table().Border(TableBorder.Simple).AddColumn("Resource").AddColumn("Action").AddColumn("Status").AddColumn(new TableColumn("Elapsed").RightAligned());
        foreach (var address in _order)
        {
            var row = _rows[address];
            var colour = row.Status.StartsWith("failed", StringComparison.Ordinal) ? "red" : row.Status == "done" ? "green" : row.Clock == null ? "grey" : "yellow";
            table.AddRow(Markup.Escape(row.Address), row.Action, $"[{colour}]{Markup.Escape(row.Status)}[/]", Elapsed(row));
        }
        return table;
    }

    private static string Elapsed(Row row)
    {
        var time = row.Took ?? row.Clock?.Elapsed;
        return time == null ? "" : time.Value.TotalSeconds < 60 ? $"{time.Value.TotalSeconds:0.0}s" : $"{(int)time.Value.TotalMinutes}m{time.Value.Seconds:00}s";
    }
}
