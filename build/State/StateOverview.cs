using BuildEngine;
using Spectre.Console;

namespace AccoReboot.State;

/// <summary>Where one environment keeps its state, and how to open its store.</summary>
sealed record EnvironmentStateSource(string Environment, Func<Task<S3StateStore>> OpenStore);

/// <summary>The State target: one table over every environment, read in parallel from their state stores.</summary>
sealed class StateOverview(BuildLog log, CancellationToken cancellationToken)
{
    private sealed record Row(string Environment, string Resources, string Ipv4, string Database, string LastChange, string Lock);

    public async Task ShowAsync(IReadOnlyList<EnvironmentStateSource> sources)
    {
        var rows = await Task.WhenAll(sources.Select(ReadAsync));
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("Environment").AddColumn("Resources").AddColumn("IPv4").AddColumn("Database").AddColumn("Last change").AddColumn("Lock");
        foreach (var row in rows)
            table.AddRow(Markup.Escape(row.Environment), Markup.Escape(row.Resources), Markup.Escape(row.Ipv4), Markup.Escape(row.Database),
                Markup.Escape(row.LastChange), Markup.Escape(row.Lock));
        log.Console.Write(table);
        log.Info("Database status and IPv4 are as of the last change; Plan --env <env> reads them live.");
    }

    private async Task<Row> ReadAsync(EnvironmentStateSource source)
    {
        try
        {
            var store = await source.OpenStore();
            var stored = await store.ReadAsync(cancellationToken);
            var holder = await store.CurrentLockAsync(cancellationToken);
            var lockText = holder == null ? "free" : $"held by {holder.Who} ({holder.Operation})";
            if (stored == null) return new Row(source.Environment, "none (no state)", "", "", "", lockText);
            var state = stored.Document;
            // by kind, from the addresses: a new kind of resource shows without a change here
            var resources = state.Resources.Keys.GroupBy(address => address.Split('.', 2)[0])
                .Select(kind => kind.Count() == 1 ? kind.Key : $"{kind.Count()} × {kind.Key}").ToList();
            var change = state.LastChange is { } last ? $"{last.At.UtcDateTime:yyyy-MM-dd HH:mm} UTC by {last.By} ({last.Operation})" : "";
            return new Row(source.Environment, resources.Count == 0 ? "none" : string.Join(", ", resources),
                state.Outputs.Ipv4 ?? "", state.Outputs.DatabaseStatus ?? "", change, lockText);
        }
        catch (BuildFailure e)
        {
            return new Row(source.Environment, "? " + FirstClause(e.Message), "", "", "", "");
        }
    }

    private static string FirstClause(string message)
    {
        var cut = message.IndexOf(". ", StringComparison.Ordinal);
        var first = cut > 0 ? message[..cut] : message.TrimEnd('.');
        return first.Length > 90 ? first[..90] + "…" : first;
    }
}
