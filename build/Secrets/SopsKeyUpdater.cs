using AccoReboot.Secrets.Sops;
using BuildEngine;

namespace AccoReboot.Secrets;

/// <summary>
/// SopsUpdateKeys: makes each credentials file's recipients those of .sops.yaml. Added recipients get the same
/// data key; when a recipient is removed the data key is rotated and every value re-encrypted, since the removed
/// person may have kept the old key.
/// </summary>
sealed class SopsKeyUpdater(SopsDotenvStore store, Func<SopsConfig> config, BuildLog log)
{
    public async Task UpdateAllAsync(IEnumerable<string> relativePaths, CancellationToken cancellationToken)
    {
        foreach (var path in relativePaths)
            await UpdateAsync(path, cancellationToken);
    }

    public async Task UpdateAsync(string relativePath, CancellationToken cancellationToken)
    {
        var wanted = config().RecipientsFor(relativePath);
        var opened = await store.OpenAsync(relativePath, cancellationToken);
        var metadata = opened.File.Metadata;
        var current = metadata.AgeKeys.Select(k => k.Recipient).ToHashSet();
        var wantedNames = wanted.Select(r => r.ToString()).ToHashSet();
        var added = wantedNames.Except(current).ToList();
        var removed = current.Except(wantedNames).ToList();
        if (added.Count == 0 && removed.Count == 0)
        {
            log.Info($"{relativePath}: recipients already match .sops.yaml.");
            return;
        }

        if (removed.Count == 0)
        {
            var keys = metadata.AgeKeys.Concat(SopsDataKey.Wrap(opened.DataKey, wanted.Where(r => added.Contains(r.ToString())))).ToList();
            store.Write(relativePath, opened.Plaintext, opened.DataKey, With(metadata, keys, metadata.OtherKeySources));
            log.Success($"{relativePath}: added {string.Join(", ", added)} (same data key).");
            return;
        }

        var dataKey = SopsDataKey.New();
        if (metadata.OtherKeySources.Count > 0)
            log.Warn($"{relativePath}: its non-age key sources ({string.Join(", ", metadata.OtherKeySources.Keys.Select(k => k.Split("__")[0]).Distinct())}) are dropped with the rotated data key; re-add them with sops if they are still needed.");
        store.Write(relativePath, opened.Plaintext, dataKey, With(metadata, SopsDataKey.Wrap(dataKey, wanted), new()));
        log.Success($"{relativePath}: removed {string.Join(", ", removed)}{(added.Count > 0 ? $", added {string.Join(", ", added)}" : "")}; the data key was rotated and every value re-encrypted.");
        log.Warn($"{relativePath}: {string.Join(", ", removed)} could read its values and may have kept them: {RotationAdvice(relativePath, opened.Plaintext)}");
    }

    /// <summary>What to rotate after a removal, by what the file holds (the new data key protects only what is written from now).</summary>
    public static string RotationAdvice(string relativePath, DotenvDocument plaintext)
    {
        var has = (string key) => !string.IsNullOrEmpty(plaintext[key]);
        if (has("API_ADMIN_TOKEN"))
        {
            var environment = Path.GetFileName(relativePath).Replace(".enc.env", "", StringComparison.Ordinal);
            return $"run Rotate --env {environment} --what api-tokens, then --what deploy-key" +
                   (has(DeployKey.PrivateName) ? "" : " (it gives the environment a deploy key of its own)") +
                   "; OS_PASSWORD and the EMQX values are renewed at OVH and by SopsEdit.";
        }
        if (has("OVH_APPLICATION_KEY"))
            return "run Rotate --env <env> --what deploy-key for each environment still on the common deploy key, and renew the OVH, registry and S3 keys at their provider (then SopsEdit).";
        return "renew each of its values where it was issued (then SopsEdit).";
    }

    private static SopsMetadata With(SopsMetadata metadata, List<SopsAgeKey> keys, SortedDictionary<string, string> others) => new()
    {
        AgeKeys = keys,
        UnencryptedSuffix = metadata.UnencryptedSuffix,
        EncryptedSuffix = metadata.EncryptedSuffix,
        UnencryptedRegex = metadata.UnencryptedRegex,
        EncryptedRegex = metadata.EncryptedRegex,
        MacOnlyEncrypted = metadata.MacOnlyEncrypted,
        Version = metadata.Version,
        OtherKeySources = others,
    };
}
