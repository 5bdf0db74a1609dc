using AccoReboot.Secrets.Age;
using AccoReboot.Secrets.Sops;
using BuildEngine;

namespace AccoReboot.Secrets;

/// <summary>
/// SopsEdit: decrypt to a private scratch file, open the editor, and when the content changed re-encrypt it
/// (same data key, fresh IVs, new MAC and lastmodified). A missing file starts from its .example and gets the
/// recipients of .sops.yaml. Nothing is written unless the edit parses.
/// </summary>
sealed class SopsEditor(SopsDotenvStore store, Func<SopsConfig> config, TextEditor editor, Confirmation confirm,
    IProcessEnvironment environment, BuildLog log)
{
    public async Task EditAsync(EditedCredentials file, CancellationToken cancellationToken)
    {
        var (relativePath, examplePath, schema) = (file.Path, file.Example, file.Schema);
        // an editor shows the decrypted file on the screen it is given: where that is a log (CI, a pipe), or where
        // nobody can answer, nothing is decrypted at all (sops edit would paint it into the log)
        if (!environment.IsInteractive || !environment.OutputIsTerminal)
            throw new BuildFailure($"SopsEdit shows {relativePath} decrypted in an editor, so it needs a terminal on stdin and stdout (not CI, not a pipe): " +
                "run it in a terminal, or pass one value with ./build.sh Exec.");
        DotenvDocument original;
        byte[] dataKey;
        SopsMetadata metadata;
        var creating = !store.Exists(relativePath);
        if (creating)
        {
            var recipients = config().RecipientsFor(relativePath); // fail before anyone types a secret
            var example = store.FullPath(examplePath);
            original = examplePath.Length > 0 && File.Exists(example) ? DotenvDocument.Parse(await File.ReadAllTextAsync(example, cancellationToken), examplePath) : new DotenvDocument([]);
            dataKey = SopsDataKey.New();
            metadata = new SopsMetadata { AgeKeys = SopsDataKey.Wrap(dataKey, recipients) };
            var start = examplePath.Length > 0 ? $"starting from {examplePath}" : "starting empty";
            log.Info($"{relativePath} does not exist: {start}, encrypted for {string.Join(", ", recipients)}.");
        }
        else
        {
            var opened = await store.OpenAsync(relativePath, cancellationToken);
            (original, dataKey, metadata) = (opened.Plaintext, opened.DataKey, opened.File.Metadata);
            WarnWhenRecipientsDiffer(relativePath, metadata);
        }

        var before = original.Render();
        using var scratch = PrivateScratchFile.Create(Path.GetFileName(relativePath).Replace(".enc", ""), before);
        while (true)
        {
            await editor.EditAsync(scratch.Path, cancellationToken);
            var after = scratch.Read();
            if (after == before && !creating)
            {
                log.Info($"{relativePath}: no change, nothing written.");
                return;
            }
            DotenvDocument edited;
            try
            {
                edited = DotenvDocument.Parse(after, relativePath + " (your edit)", requireVariableNames: true);
            }
            catch (BuildFailure failure) when (environment.IsInteractive)
            {
                log.Error(failure.Message);
                confirm.RequireYes("Open the editor again to fix it (no: discard the edit)?");
                continue;
            }
            store.Write(relativePath, edited, dataKey, metadata);
            log.Success($"{relativePath} {(creating ? "created" : "updated")} ({edited.Entries.Count()} keys).");
            var missing = schema.Where(k => k.Required && string.IsNullOrWhiteSpace(edited[k.Name])).Select(k => k.Name).ToList();
            if (missing.Count > 0) log.Warn($"{relativePath} still lacks {string.Join(", ", missing)}.");
            return;
        }
    }

    private void WarnWhenRecipientsDiffer(string relativePath, SopsMetadata metadata)
    {
        var wanted = config().RecipientsFor(relativePath).Select(r => r.ToString()).Order();
        var current = metadata.AgeKeys.Select(k => k.Recipient).Order();
        if (!wanted.SequenceEqual(current))
            log.Warn($"{relativePath}: its recipients differ from .sops.yaml; run ./build.sh SopsUpdateKeys.");
    }
}
