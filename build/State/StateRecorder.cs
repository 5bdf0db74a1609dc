namespace AccoReboot.State;

/// <summary>
/// The state as a run changes it: each step records what it made as soon as it exists, and the document is
/// written at once (one write at a time, each based on the previous one), so a crash loses nothing it made.
/// <paramref name="complete"/> derives what follows from the rest (the outputs from the resources' slices).
/// </summary>
sealed class StateRecorder(S3StateStore store, StateDocument initial, string? etag, CancellationToken cancellationToken,
    Func<StateDocument, StateDocument>? complete = null)
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
            if (complete != null) next = complete(next);
            if (next.SameAs(_current)) return;
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
