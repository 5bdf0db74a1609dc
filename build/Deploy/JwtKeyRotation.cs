using AccoReboot.Deploy.Remote;
using AccoReboot.State;
using BuildEngine;

namespace AccoReboot.Deploy;

/// <summary>
/// Rotate --what jwt-key: a new signing key with an overlap. The new key is made on the host beside the old ones and
/// the API reads its keys again (SIGHUP: nothing restarts); it signs from then on, while every key stays in the
/// JWKS, so tokens signed before keep verifying (PowerSync fetches the JWKS again when it meets an unknown kid).
/// The old keys are retired (removed from the host and the state) by the first Deploy or Rotate after the longest
/// token has expired. The state keeps every key sealed, as Deploy does.
/// </summary>
sealed class JwtKeyRotation(DeploymentInputs inputs, TimeSpan overlap, BuildLog log, CancellationToken cancellationToken)
{
    /// <summary>
    /// How long a token lives: the API's default TOKEN_TTL_SECONDS (api/src/config/config.ts), which the stack does
    /// not override; an old key is kept published that long, and a margin for clocks and requests in flight.
    /// </summary>
    public static readonly TimeSpan DefaultOverlap = TimeSpan.FromHours(1) + TimeSpan.FromMinutes(5);

    public async Task RotateAsync(bool forceUnlock)
    {
        var session = await inputs.OpenSession();
        await session.UnderLockAsync("Rotate", inputs.Who, forceUnlock, async stored =>
        {
            var site = DeployedEnvironment.From(stored?.Document, inputs.Environment);
            var state = new StateRecorder(session.State, stored!.Document, stored.ETag, cancellationToken);
            await using var ssh = await new TrustedConnection(log).OpenAsync(StackConnection.Target(inputs, session, site, await inputs.DeployKey(), null), cancellationToken);
            var now = inputs.Clock.GetUtcNow();
            var before = Deployer.ParseJwtKeys(await MustAsync(ssh, inputs.Layout.JwtKeys(), "read the JWT keys", site)).Keys.ToList();
            if (before.Count == 0) throw new BuildFailure($"The instance of {inputs.Environment} has no JWT key yet: run Deploy --env {inputs.Environment} first.");
            var retired = Due(state.Current, now);
            if (retired.Count > 0) await MustAsync(ssh, inputs.Layout.RetireJwtKeys(retired), "retire the expired JWT keys", site);
            var fresh = $"jwt-{now.UtcDateTime:yyyyMMddHHmmss}.key.pem";
            await MustAsync(ssh, inputs.Layout.NewJwtKey(fresh), "make the new JWT key", site);
            var keys = await ReloadAsync(ssh, site, before.Count - retired.Count + 1);
            var retiring = state.Current.JwtKeysRetiring.Where(k => !retired.Contains(k.Key)).ToDictionary();
            foreach (var old in keys.Keys.Where(k => k != fresh && !retiring.ContainsKey(k))) retiring[old] = now + overlap;
            var sealedKeys = await SealAllAsync(keys);
            await state.UpdateAsync(s => s with
            {
                SealedJwtKeys = sealedKeys,
                JwtKeysRetiring = retiring,
                RotationDue = s.RotationDue.Where(e => e.Key != StateDocument.JwtKeyRotation).ToDictionary(),
            });
            if (retired.Count > 0) log.Info($"Retired {string.Join(", ", retired)} (the tokens they signed have expired).");
            log.Success($"The API signs with {fresh} from now; {string.Join(", ", retiring.Select(r => $"{r.Key} stays published until {r.Value.UtcDateTime:yyyy-MM-dd HH:mm} UTC"))} " +
                        "(the first Deploy or Rotate after that retires it).");
        }, cancellationToken);
    }

    /// <summary>Deploy's part: the keys whose overlap is over leave the host, the API and the state.</summary>
    public async Task RetireDueAsync(IRemoteHost ssh, DeployedEnvironment site, StateRecorder state)
    {
        var retired = Due(state.Current, inputs.Clock.GetUtcNow());
        if (retired.Count == 0) return;
        var remaining = Deployer.ParseJwtKeys(await MustAsync(ssh, inputs.Layout.JwtKeys(), "read the JWT keys", site)).Keys.Count(k => !retired.Contains(k));
        if (remaining == 0) throw new BuildFailure($"Retiring {string.Join(", ", retired)} would leave the API without a key: the state and the host disagree; run Rotate --what jwt-key.");
        await MustAsync(ssh, inputs.Layout.RetireJwtKeys(retired), "retire the expired JWT keys", site);
        var keys = await ReloadAsync(ssh, site, remaining);
        var sealedKeys = await SealAllAsync(keys);
        await state.UpdateAsync(s => s with
        {
            SealedJwtKeys = sealedKeys,
            JwtKeysRetiring = s.JwtKeysRetiring.Where(k => !retired.Contains(k.Key)).ToDictionary(),
        });
        log.Info($"Retired the JWT key{(retired.Count > 1 ? "s" : "")} {string.Join(", ", retired)}: the tokens {(retired.Count > 1 ? "they" : "it")} signed have expired.");
    }

    public static IReadOnlyList<string> Due(StateDocument state, DateTimeOffset now) =>
        state.JwtKeysRetiring.Where(k => k.Value <= now).Select(k => k.Key).Order(StringComparer.Ordinal).ToList();

    /// <summary>SIGHUP to the API, then the JWKS read through Caddy until it publishes <paramref name="expected"/> keys.</summary>
    private async Task<IReadOnlyDictionary<string, string>> ReloadAsync(IRemoteHost ssh, DeployedEnvironment site, int expected)
    {
        await MustAsync(ssh, inputs.Layout.ReloadJwtKeys(), "ask the API to read its keys again", site);
        var endpoint = HealthEndpoint.For(inputs.Stack);
        var jwks = RemoteLayout.Get(endpoint.Url + "/.well-known/jwks.json", endpoint.Resolve, endpoint.CaFile);
        var published = -1;
        for (var attempt = 0; attempt < 50 && published != expected; attempt++)
        {
            if (attempt > 0) await Task.Delay(200, cancellationToken);
            var answer = await ssh.RunAsync(jwks, ct: cancellationToken);
            published = answer.Succeeded ? System.Text.Json.Nodes.JsonNode.Parse(answer.Output)?["keys"]?.AsArray().Count ?? -1 : -1;
        }
        if (published != expected)
            throw new BuildFailure($"The API of {inputs.Environment} publishes {published} JWT keys after reading them again, not {expected}: see Logs --env {inputs.Environment} --service api (the keys on the host are kept).");
        return Deployer.ParseJwtKeys(await MustAsync(ssh, inputs.Layout.JwtKeys(), "read the JWT keys", site));
    }

    private async Task<IReadOnlyDictionary<string, string>> SealAllAsync(IReadOnlyDictionary<string, string> keys)
    {
        var sealedKeys = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, pem) in keys)
        {
            inputs.Masker.Register(pem);
            sealedKeys[name] = await inputs.SealSecret(pem);
        }
        return sealedKeys;
    }


    private Task<string> MustAsync(IRemoteHost ssh, string command, string what, DeployedEnvironment site) =>
        ssh.MustAsync(command, what, site.Ipv4, cancellationToken);
}
