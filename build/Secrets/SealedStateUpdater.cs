using AccoReboot.State;
using BuildEngine;

namespace AccoReboot.Secrets;

/// <summary>One environment whose state holds sealed values: where its state is, and who seals for it.</summary>
sealed record SealedStateSource(string Environment, Func<Task<S3StateStore>> OpenState, StateSecrets Secrets);

/// <summary>
/// Re-seals the state of every environment after SopsUpdateKeys changed the recipients, each under its state lock.
/// An environment whose state cannot be read from here (its credentials, its bucket) is named, not skipped silently.
/// </summary>
sealed class SealedStateUpdater(string who, TimeProvider clock, BuildLog log, CancellationToken cancellationToken)
{
    public async Task UpdateAllAsync(IEnumerable<SealedStateSource> sources)
    {
        var missed = new List<string>();
        foreach (var source in sources)
        {
            try
            {
                await UpdateAsync(source);
            }
            catch (BuildFailure e)
            {
                missed.Add(source.Environment);
                log.Warn($"The state of {source.Environment} was not re-sealed: {e.Message.Split('\n')[0]}");
            }
        }
        if (missed.Count > 0)
            log.Warn($"Run SopsUpdateKeys again where the state of {string.Join(", ", missed)} can be read (a key that opens its credentials and reaches its bucket): until then, a recipient added cannot deploy it.");
    }

    private async Task UpdateAsync(SealedStateSource source)
    {
        var store = await source.OpenState();
        var held = await store.AcquireLockAsync("SopsUpdateKeys", who, force: false, cancellationToken);
        try
        {
            var stored = await store.ReadAsync(cancellationToken);
            if (stored?.Document is not { IsEmpty: false } document)
            {
                log.Info($"{source.Environment}: no state, nothing sealed.");
                return;
            }
            var (resealed, count, due) = await StateResealer.ResealAsync(document, source.Secrets.ResealAsync, $"on {clock.GetUtcNow().UtcDateTime:yyyy-MM-dd HH:mm} UTC by {who}");
            if (count == 0)
            {
                log.Info($"{source.Environment}: its state holds no sealed value.");
                return;
            }
            await store.WriteAsync(resealed with { Serial = document.Serial + 1 }, stored.ETag, cancellationToken);
            log.Success($"{source.Environment}: re-sealed {count} secret{(count == 1 ? "" : "s")} of its state to today's recipients.");
            foreach (var (what, why) in due)
                log.Warn($"{source.Environment}: the {what} is due for rotation ({why}): " +
                         (what == StateDocument.DatabasePasswordRotation ? $"the next Apply --env {source.Environment} resets it (then Deploy, which Up runs)."
                             : $"run Rotate --env {source.Environment} --what jwt-key (a new key signs, the old one stays published until its tokens expire)."));
        }
        finally
        {
            await store.ReleaseLockAsync(held, CancellationToken.None);
        }
    }
}
