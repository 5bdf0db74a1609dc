using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using AccoReboot.Deploy;
using AccoReboot.Deploy.Remote;
using AccoReboot.Secrets;
using AccoReboot.Session;
using BuildEngine;
using Spectre.Console;

namespace AccoReboot.Backups;

/// <summary>
/// Backup, Restore and Backups of one environment's application database. The dump is made on the instance (the
/// managed database only accepts the instance's address) by the release's db-tools container and streamed back
/// over the SSH connection, so it is never written unencrypted outside that throwaway container; it is encrypted
/// here with age to the recipients of the environment's credentials, and stored in its bucket under backups/.
/// </summary>
sealed class DatabaseBackups(DeploymentInputs inputs, StateSecrets secrets, BuildLog log, Confirmation confirm, CancellationToken cancellationToken)
{
    /// <summary>What writes to the database or serves from it, stopped while a restore loads (Caddy first: no request meets a stopped API).</summary>
    public static readonly string[] Writers = ["caddy", "emqx", "powersync", "api"];

    public async Task<BackupManifest> BackupAsync(int keep)
    {
        var session = await inputs.OpenSession();
        var (site, _) = await StackConnection.ReadAsync(inputs, session, cancellationToken);
        await using var ssh = await new TrustedConnection(log).OpenAsync(StackConnection.Target(inputs, session, site, await inputs.DeployKey(), null), cancellationToken);
        var release = await RunningReleaseAsync(ssh, site);
        var watch = Stopwatch.StartNew();
        using var dump = new MemoryStream();
        var result = await ssh.ReadAsync(inputs.Layout.DatabaseTool(DatabaseDumpScripts.Dump()), dump, cancellationToken);
        if (!result.Succeeded)
            throw new BuildFailure($"The database dump on {site.Ipv4} failed (exit code {result.ExitCode}): {LastLine(result.Error)}");
        var dumped = watch.Elapsed;
        var tar = dump.ToArray();
        var archive = BackupArchive.Read(tar);
        var (encrypted, recipients) = secrets.Encrypt(tar);
        CryptographicOperations.ZeroMemory(tar);
        var store = Store(session);
        var manifest = new BackupManifest(BackupCatalog.NewId(inputs.Clock.GetUtcNow()), inputs.Environment, inputs.Clock.GetUtcNow(), inputs.Who,
            release, archive.ServerVersion, archive.TimescaleDbVersion, archive.Tables, encrypted.LongLength, Convert.ToHexStringLower(SHA256.HashData(encrypted)));
        await store.PutAsync(manifest, encrypted, cancellationToken);
        log.Success($"Backup {manifest.Id} of {inputs.Environment}: {Describe(manifest)}, {Size(encrypted.LongLength)} encrypted to {recipients} recipient{(recipients == 1 ? "" : "s")}, " +
                    $"in {store.Where(manifest.Id)} (dump {dumped.TotalSeconds:0.0} s, all {watch.Elapsed.TotalSeconds:0.0} s).");
        var expired = BackupCatalog.Expired(await store.IdsAsync(cancellationToken), keep);
        foreach (var id in expired) await store.DeleteAsync(id, cancellationToken);
        if (expired.Count > 0) log.Info($"Kept the newest {keep} backups (KeepBackups); deleted {string.Join(", ", expired)}.");
        return manifest;
    }

    /// <summary>Down's last backup: taken when something is deployed to take it from, skipped (saying so) otherwise.</summary>
    public async Task FinalBackupAsync(int keep)
    {
        var store = await inputs.OpenState();
        var stored = await store.ReadAsync(cancellationToken);
        if (stored?.Document is not { IsEmpty: false } document || document.Outputs is not { InstanceId: { } instance } || document.ReleaseOn(instance) == null)
        {
            log.Info($"No final backup: nothing is deployed on {inputs.Environment}.");
            return;
        }
        log.Info($"Taking a final backup of {inputs.Environment}'s database before Down (--no-backup skips it)…");
        try
        {
            await BackupAsync(keep);
        }
        catch (BuildFailure e)
        {
            throw new BuildFailure($"{e.Message} Down stopped before deleting anything; run Down --no-backup to go on without a final backup.");
        }
    }

    public async Task ListAsync()
    {
        var session = await inputs.OpenSession();
        var store = Store(session);
        var ids = await store.IdsAsync(cancellationToken);
        if (ids.Count == 0)
        {
            log.Info($"{inputs.Environment} has no backup (Backup --env {inputs.Environment} takes one).");
            return;
        }
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("Backup").AddColumn("Taken by").AddColumn("Release").AddColumn("Rows").AddColumn("Size").AddColumn("PostgreSQL / TimescaleDB");
        foreach (var id in ids.Reverse())
        {
            var m = await store.ManifestAsync(id, cancellationToken);
            table.AddRow(Esc(id), Esc(m.By), Esc(m.Release ?? "-"), Esc(string.Join(", ", m.Tables.Select(t => t.Describe()))), Esc(Size(m.EncryptedBytes)),
                Esc(m.ServerVersion + (m.TimescaleDbVersion != null ? $" / {m.TimescaleDbVersion}" : "")));
        }
        log.Console.Write(table);
    }

    public async Task RestoreAsync(string? requested, bool forceUnlock)
    {
        var session = await inputs.OpenSession();
        var store = Store(session);
        var id = BackupCatalog.Choose(await store.IdsAsync(cancellationToken), requested, inputs.Environment);
        var manifest = await store.ManifestAsync(id, cancellationToken);
        var question = $"Restore replaces the rows of {inputs.Environment}'s database ({string.Join(", ", manifest.Tables.Select(t => t.Name))}) with backup {id} " +
                       $"({Describe(manifest)}, taken {manifest.CreatedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC by {manifest.By}); the stack is stopped meanwhile";
        if (inputs.Protected) confirm.RequireTyped(question, inputs.Environment);
        else confirm.RequireYes(question + ". Go on?");
        var encrypted = await store.ArchiveAsync(id, cancellationToken);
        if (Convert.ToHexStringLower(SHA256.HashData(encrypted)) != manifest.Sha256)
            throw new BuildFailure($"Backup {id} is not the archive its manifest describes (SHA-256 differs): it was changed or cut short in {store.Where(id)}; nothing was restored.");
        var tar = await secrets.DecryptAsync(encrypted, $"Backup {id}");
        BackupArchive.Read(tar);
        await session.UnderLockAsync("Restore", inputs.Who, forceUnlock, async stored =>
        {
            var site = DeployedEnvironment.From(stored?.Document, inputs.Environment);
            await using var ssh = await new TrustedConnection(log).OpenAsync(StackConnection.Target(inputs, session, site, await inputs.DeployKey(), null), cancellationToken);
            await RunningReleaseAsync(ssh, site);
            var watch = Stopwatch.StartNew();
            await ssh.MustAsync(inputs.Layout.Stop(Writers), $"stop {string.Join(", ", Writers)}", site.Ipv4, cancellationToken);
            RemoteResult loaded;
            using (var input = new MemoryStream(tar)) loaded = await ssh.PipeAsync(inputs.Layout.DatabaseTool(DatabaseDumpScripts.Load()), input, cancellationToken);
            CryptographicOperations.ZeroMemory(tar);
            var loadTime = watch.Elapsed;
            // whether the load went through or not, the stack comes back: the API's migrations make the tables and
            // PowerSync's publication again where they were lost, PowerSync makes its slot and replicates the change
            var up = await ssh.RunAsync(inputs.Layout.Up(inputs.Options.UpTimeout), ct: cancellationToken);
            if (!loaded.Succeeded)
                throw new BuildFailure($"Restoring backup {id} failed, nothing of it was kept (one transaction): {LastLine(loaded.Error)}" +
                                       (up.Succeeded ? " The stack runs again on the rows it had." : $" The stack did not come back either: {LastLine(up.Output)} (Status, Logs)."));
            if (!up.Succeeded)
                throw new BuildFailure($"Backup {id} was restored, but the stack did not come back healthy: {LastLine(up.Output)} (Status, Logs --env {inputs.Environment}).");
            await ssh.RunAsync(inputs.Layout.Audit($"{inputs.Clock.GetUtcNow():O} restore {id} by {inputs.Who}"), ct: cancellationToken);
            log.Success($"Restored backup {id} into {inputs.Environment}: {Describe(manifest)} (load {loadTime.TotalSeconds:0.0} s; the stack was stopped for {watch.Elapsed.TotalSeconds:0.0} s).");
        }, cancellationToken);
    }

    private async Task<string> RunningReleaseAsync(IRemoteHost ssh, DeployedEnvironment site)
    {
        var facts = await inputs.Deployer(log).FactsAsync(ssh, cancellationToken);
        return facts.Current is { } release ? Path.GetFileName(release)
            : throw new BuildFailure($"Nothing is deployed on {site.Ipv4}: Backup and Restore use the release's db-tools container. Run Deploy --env {inputs.Environment} first.");
    }


    private BackupStore Store(EnvironmentSession session) => new(session.State.S3, session.State.Location.Bucket, inputs.Environment);

    private static string Describe(BackupManifest manifest) =>
        $"{manifest.Tables.Count} tables, {manifest.Rows.ToString("N0", CultureInfo.InvariantCulture)} rows ({string.Join(", ", manifest.Tables.Select(t => t.Describe()))})";

    private static string Size(long bytes) => bytes switch
    {
        < 1024 * 1024 => $"{bytes / 1024.0:0.0} KiB",
        < 1024L * 1024 * 1024 => $"{bytes / 1024.0 / 1024:0.0} MiB",
        _ => $"{bytes / 1024.0 / 1024 / 1024:0.00} GiB",
    };

    private static string LastLine(string text) =>
        text.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.Length > 0) ?? "no message";

    private static string Esc(string text) => Markup.Escape(text);
}
