using AccoReboot.State;

namespace AccoReboot.Infra.Apply;

/// <summary>
/// The state as the apply changes it: each step records what it created as soon as it exists, and the document
/// is written at once (one write at a time, each based on the previous one), so a crash loses nothing it made.
/// </summary>
sealed class StateRecorder(S3StateStore store, StateDocument initial, string? etag, CancellationToken cancellationToken)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private StateDocument _current = initial;
    private string? _etag = etag;

    public StateDocument Current => _current;
    public int Writes { get; private set; }

    public async Task UpdateAsync(Func<StateDocument, StateDocument> change)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var next = change(_current);
            if (next == _current) return;
            next = next with { Serial = _current.Serial + 1 };
            // a crash after the cloud call but before this write is covered by finding resources by name
            _etag = await store.WriteAsync(next, _etag, CancellationToken.None);
            _current = next;
            Writes++;
        }
        finally
        {
            _gate.Release();
        }
    }
}
