namespace AccoReboot.Secrets.Sops;

/// <summary>An encrypted SOPS dotenv file as it is on disk: the lines in order (values still ENC[…]) and the sops_* metadata.</summary>
sealed class SopsDotenvFile(IReadOnlyList<DotenvItem> items, SopsMetadata metadata)
{
    public IReadOnlyList<DotenvItem> Items { get; } = items;
    public SopsMetadata Metadata { get; } = metadata;

    public static bool LooksEncrypted(string text) => text.Contains("sops_mac=", StringComparison.Ordinal);

    public static SopsDotenvFile Parse(string text, string fileName)
    {
        var document = ParseLines(text, fileName, out var sops);
        return new SopsDotenvFile(document, SopsMetadata.FromLines(sops, fileName));
    }

    public string Render()
    {
        var body = new DotenvDocument(Items).Render();
        var metadata = string.Concat(Metadata.ToLines().Select(l => $"{l.key}={l.value.Replace("\n", "\\n")}\n"));
        return body + metadata;
    }

    private static List<DotenvItem> ParseLines(string text, string fileName, out Dictionary<string, string> sops)
    {
        sops = new Dictionary<string, string>(StringComparer.Ordinal);
        var data = new List<string>();
        foreach (var line in text.Replace("\r\n", "\n").Split('\n'))
        {
            if (line.StartsWith("sops_", StringComparison.Ordinal) && line.IndexOf('=') is var equals and > 0)
                sops[line[5..equals]] = line[(equals + 1)..].Replace("\\n", "\n");
            else
                data.Add(line);
        }
        return DotenvDocument.Parse(string.Join('\n', data), fileName).Items.ToList();
    }
}
