namespace BuildEngine;

/// <summary>
/// The set of secret values of this run. Everything the build prints, logs or rethrows goes through
/// <see cref="Mask"/>, so a registered value shows as ****.
/// </summary>
public sealed class SecretMasker
{
    public const string Placeholder = "****";

    // Values shorter than this would mask ordinary words and numbers everywhere ("1", "yes").
    private const int MinimumLength = 4;

    private readonly object _gate = new();
    private string[] _secrets = [];

    public void Register(string? value)
    {
        if (string.IsNullOrEmpty(value)) return;
        lock (_gate)
        {
            // A multi-line secret (a private key) is also masked line by line, since output arrives in lines.
            var candidates = new[] { value, value.Trim() }
                .Concat(value.Split('\n').Select(l => l.Trim('\r', ' ')))
                .Where(v => v.Length >= MinimumLength && !_secrets.Contains(v));
            _secrets = _secrets.Concat(candidates).Distinct().OrderByDescending(s => s.Length).ToArray();
        }
    }

    public bool IsEmpty => _secrets.Length == 0;

    public string Mask(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        var secrets = _secrets;
        foreach (var secret in secrets)
            if (text.Contains(secret, StringComparison.Ordinal))
                text = text.Replace(secret, Placeholder, StringComparison.Ordinal);
        return text;
    }
}
