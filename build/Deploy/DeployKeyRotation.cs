using AccoReboot.Deploy.Remote;
using AccoReboot.Infra;
using AccoReboot.Secrets;
using AccoReboot.Session;
using AccoReboot.State;
using BuildEngine;

namespace AccoReboot.Deploy;

/// <summary>
/// Rotate --what deploy-key: a new deploy key for one environment, on its running instance. Nova sets a keypair only
/// when it makes a server, so the instance's authorized_keys is changed over SSH instead, in an order where an
/// interruption never locks the build out:
/// 1. the new key is added beside the old one, proven to log in, and the state records that this instance
///    authorizes both (so Apply changes the keypair and leaves the instance);
/// 2. the new key is written into the environment's credentials (SOPS, same recipients), and Apply replaces the
///    Nova keypair, which only seeds instances made later;
/// 3. the old key is removed from the instance, and the build checks that it no longer logs in.
/// </summary>
sealed class DeployKeyRotation(DeploymentInputs inputs, Func<DeployKey, Task> keepInCredentials, Func<Task> apply, BuildLog log, CancellationToken cancellationToken)
{
    public async Task RotateAsync(bool forceUnlock)
    {
        var old = await inputs.DeployKey();
        var now = inputs.Clock.GetUtcNow();
        var fresh = DeployKeyGenerator.New($"accoreboot-{inputs.Environment}-deploy-{now.UtcDateTime:yyyyMMdd}");
        inputs.Masker.Register(fresh.PrivateKey);
        var session = await inputs.OpenSession();

        await session.UnderLockAsync("Rotate", inputs.Who, forceUnlock, async stored =>
        {
            var site = DeployedEnvironment.From(stored?.Document, inputs.Environment);
            await using (var ssh = await OpenAsync(session, site, old))
                await ssh.MustAsync(AuthorizedKeys.Add(fresh.PublicKey), "authorize the new deploy key", site.Ipv4, cancellationToken);
            await using (var check = await OpenAsync(session, site, fresh))
                await check.MustAsync("true", "log in with the new deploy key", site.Ipv4, cancellationToken);
            var authorized = (stored!.Document.DeployKeysOn(site.InstanceId) ?? [DesiredEnvironment.KeySha256(old.PublicKey)])
                .Append(DesiredEnvironment.KeySha256(fresh.PublicKey)).Distinct().ToList();
            await Recorder(session, stored).UpdateAsync(s => s with { DeployKeys = new DeployKeysState(site.InstanceId, authorized, now) });
            log.Info($"The instance of {inputs.Environment} ({site.Ipv4}) authorizes the new deploy key beside the old one.");
        }, cancellationToken);

        await keepInCredentials(fresh);
        await apply();

        await session.UnderLockAsync("Rotate", inputs.Who, forceUnlock, async stored =>
        {
            var site = DeployedEnvironment.From(stored?.Document, inputs.Environment);
            await using (var ssh = await OpenAsync(session, site, fresh))
                await ssh.MustAsync(AuthorizedKeys.Remove(old.PublicKey, fresh.PublicKey), "remove the old deploy key", site.Ipv4, cancellationToken);
            await Recorder(session, stored!).UpdateAsync(s => s with
            {
                DeployKeys = new DeployKeysState(site.InstanceId, [DesiredEnvironment.KeySha256(fresh.PublicKey)], inputs.Clock.GetUtcNow()),
            });
            try
            {
                await using var _ = await OpenAsync(session, site, old);
                log.Warn($"The old deploy key still logs in to {site.Ipv4}: another file authorizes it there (sshd's AuthorizedKeysFile); remove it by hand (Ssh --env {inputs.Environment}).");
            }
            catch (DeployKeyRefused)
            {
                log.Info($"The old deploy key no longer logs in to {site.Ipv4}.");
            }
            catch (BuildFailure e)
            {
                // the rotation is done; only its last check could not be made
                log.Warn($"Could not check that the old deploy key is refused by {site.Ipv4} ({e.Message}); the new key is in use.");
            }
        }, cancellationToken);
    }

    private async Task<SshSession> OpenAsync(EnvironmentSession session, DeployedEnvironment site, DeployKey key) =>
        await new TrustedConnection(log).OpenAsync(StackConnection.Target(inputs, session, site, key, null), cancellationToken);

    private StateRecorder Recorder(EnvironmentSession session, StoredState stored) =>
        new(session.State, stored.Document, stored.ETag, cancellationToken);
}
