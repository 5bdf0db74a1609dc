using System.Text;

namespace BuildEngine;

/// <summary>
/// A writer that masks secrets before they reach the inner writer. Text is held back until a line ends
/// (or Flush), so a secret written in pieces is still caught.
/// </summary>
public sealed class MaskingTextWriter(TextWriter inner, SecretMasker masker) : TextWriter
{
    private readonly StringBuilder _pending = new();
    private readonly object _gate = new();

    public override Encoding Encoding => inner.Encoding;

    public override void Write(char value)
    {
        lock (_gate)
        {
            _pending.Append(value);
            if (value == '\n') Drain();
        }
    }

    public override void Write(string? value)
    {
        if (value == null) return;
        lock (_gate)
        {
            _pending.Append(value);
            if (value.Contains('\n')) Drain();
        }
    }

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void Flush()
    {
        lock (_gate)
        {
            if (_pending.Length > 0)
            {
                inner.Write(masker.Mask(_pending.ToString()));
                _pending.Clear();
            }
            inner.Flush();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) Flush();
        base.Dispose(disposing);
    }

    private void Drain()
    {
        var text = _pending.ToString();
        var end = text.LastIndexOf('\n') + 1;
        inner.Write(masker.Mask(text[..end]));
        _pending.Remove(0, end);
        inner.Flush();
    }
}
