using BuildEngine;

namespace AccoReboot.Secrets.Sops;

/// <summary>An age-wrapped copy of the data key: sops_age__list_N__map_enc / _recipient.</summary>
sealed record SopsAgeKey(string Recipient, string Enc);

/// <summary>
/// The sops_* lines of a SOPS dotenv file. Keys we do not use (pgp, kms, …) are kept as they are: the data key
/// does not change on edit, so their wrapped copies stay valid.
/// </summary>
sealed class SopsMetadata
{
    public List<SopsAgeKey> AgeKeys { get; init; } = [];
    public string LastModified { get; set; } = "";
    public string Mac { get; set; } = "";
    public string? UnencryptedSuffix { get; init; } = "_unencrypted";
    public string? EncryptedSuffix { get; init; }
    public string? UnencryptedRegex { get; init; }
    public string? EncryptedRegex { get; init; }
    public bool MacOnlyEncrypted { get; init; }
    public string Version { get; init; } = "3.13.1";

    /// <summary>Other key sources (pgp, kms, gcp_kms, azure_kv, hc_vault) as written: name after "sops_" → value.</summary>
    public SortedDictionary<string, string> OtherKeySources { get; init; } = new(StringComparer.Ordinal);

    public bool ShouldEncrypt(string key)
    {
        if (UnencryptedSuffix != null) return !key.EndsWith(UnencryptedSuffix, StringComparison.Ordinal);
        if (EncryptedSuffix != null) return key.EndsWith(EncryptedSuffix, StringComparison.Ordinal);
        if (UnencryptedRegex != null) return !System.Text.RegularExpressions.Regex.IsMatch(key, UnencryptedRegex);
        if (EncryptedRegex != null) return System.Text.RegularExpressions.Regex.IsMatch(key, EncryptedRegex);
        return true;
    }

    public static SopsMetadata FromLines(IReadOnlyDictionary<string, string> sops, string fileName)
    {
        if (sops.Keys.Any(k => k.StartsWith("key_groups", StringComparison.Ordinal) || k == "shamir_threshold"))
            throw new BuildFailure($"{fileName} uses SOPS key groups (Shamir secret sharing), which this build does not support; use a plain list of age recipients.");
        var ageKeys = new SortedDictionary<int, (string? enc, string? recipient)>();
        var others = new SortedDictionary<string, string>(StringComparer.Ordinal);
        string? Get(string key) => sops.GetValueOrDefault(key);
        foreach (var (key, value) in sops)
        {
            if (key.StartsWith("age__list_", StringComparison.Ordinal))
            {
                var rest = key["age__list_".Length..];
                var separator = rest.IndexOf("__map_", StringComparison.Ordinal);
                if (separator < 0 || !int.TryParse(rest[..separator], out var index))
                    throw new BuildFailure($"{fileName}: malformed metadata key sops_{key}.");
                var field = rest[(separator + "__map_".Length)..];
                var entry = ageKeys.GetValueOrDefault(index);
                ageKeys[index] = field switch
                {
                    "enc" => (value, entry.recipient),
                    "recipient" => (entry.enc, value),
                    _ => entry,
                };
            }
            else if (key is not ("lastmodified" or "mac" or "unencrypted_suffix" or "encrypted_suffix" or "unencrypted_regex"
                     or "encrypted_regex" or "mac_only_encrypted" or "version"))
                others[key] = value;
        }
        if (Get("mac") is not { Length: > 0 } mac || Get("lastmodified") is not { Length: > 0 } lastModified)
            throw new BuildFailure($"{fileName} is not a SOPS file (no sops_mac / sops_lastmodified): encrypt it with SopsEdit.");
        var hasRule = Get("encrypted_suffix") != null || Get("unencrypted_regex") != null || Get("encrypted_regex") != null;
        return new SopsMetadata
        {
            AgeKeys = ageKeys.Values.Where(k => k.enc != null).Select(k => new SopsAgeKey(k.recipient ?? "", k.enc!)).ToList(),
            LastModified = lastModified,
            Mac = mac,
            UnencryptedSuffix = Get("unencrypted_suffix") ?? (hasRule ? null : "_unencrypted"),
            EncryptedSuffix = Get("encrypted_suffix"),
            UnencryptedRegex = Get("unencrypted_regex"),
            EncryptedRegex = Get("encrypted_regex"),
            MacOnlyEncrypted = Get("mac_only_encrypted") == "true",
            Version = Get("version") ?? "3.13.1",
            OtherKeySources = others,
        };
    }

    /// <summary>The sops_* lines, sorted by name as sops writes them.</summary>
    public IEnumerable<(string key, string value)> ToLines()
    {
        var lines = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < AgeKeys.Count; i++)
        {
            lines[$"age__list_{i}__map_enc"] = AgeKeys[i].Enc;
            lines[$"age__list_{i}__map_recipient"] = AgeKeys[i].Recipient;
        }
        lines["lastmodified"] = LastModified;
        lines["mac"] = Mac;
        if (MacOnlyEncrypted) lines["mac_only_encrypted"] = "true";
        if (UnencryptedSuffix != null) lines["unencrypted_suffix"] = UnencryptedSuffix;
        if (EncryptedSuffix != null) lines["encrypted_suffix"] = EncryptedSuffix;
        if (UnencryptedRegex != null) lines["unencrypted_regex"] = UnencryptedRegex;
        if (EncryptedRegex != null) lines["encrypted_regex"] = EncryptedRegex;
        lines["version"] = Version;
        foreach (var (key, value) in OtherKeySources) lines[key] = value;
        return lines.Select(l => ("sops_" + l.Key, l.Value));
    }
}
