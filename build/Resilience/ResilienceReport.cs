using System.Globalization;
using System.Text;

namespace AccoReboot.Resilience;

/// <summary>What one resilience run measured and checked, with each figure's budget; written as a short markdown report.</summary>
sealed class ResilienceReport(string kind, string environment, DateTimeOffset at)
{
    private readonly List<(string What, TimeSpan? Took, TimeSpan? Budget, bool Met)> _rows = [];

    public string Kind => kind;
    public string Environment => environment;
    public bool Passed => _rows.Count > 0 && _rows.All(r => r.Met);
    public int Failures => _rows.Count(r => !r.Met);

    public void Add(string what, TimeSpan? took, TimeSpan? budget, bool met) => _rows.Add((what, took, budget, met));

    public IEnumerable<string> Lines() => _rows.Select(r =>
        $"  {(r.Met ? "ok  " : "FAIL")}  {Seconds(r.Took),8}  {(r.Budget is { } b ? "≤ " + Seconds(b) : ""),10}  {r.What}");

    public string Markdown()
    {
        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"# Resilience: {kind} of {environment}")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Run {at.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC by `./build.sh Resilience{char.ToUpperInvariant(kind[0])}{kind[1..]} --env {environment}`: **{(Passed ? "every check met" : $"{Failures} failed")}**.")
            .AppendLine()
            .AppendLine("| check | time | budget | result |")
            .AppendLine("| --- | ---: | ---: | --- |");
        foreach (var (what, took, budget, met) in _rows)
            text.AppendLine(CultureInfo.InvariantCulture, $"| {what.Replace("|", "\\|")} | {Seconds(took)} | {(budget is { } b ? Seconds(b) : "")} | {(met ? "met" : "**not met**")} |");
        return text.ToString();
    }

    private static string Seconds(TimeSpan? time) => time is { } t ? t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s" : "";
}
