using System.Security.Cryptography;
using AccoReboot.Secrets.Sops;
using BuildEngine;

namespace AccoReboot.Secrets;

/// <summary>
/// Rotate: replaces one kind of secret of an environment and puts the new one in service.
/// - db-password: marked due in the state (under its lock), then Apply resets it through OVH's API and Deploy gives
///   the stack the new one; sessions already open keep working (PostgreSQL checks a password at sign-in only).
/// - jwt-key: a new signing key beside the old ones, which stay published until their tokens expire (JwtKeyRotation).
/// - api-tokens: the API's admin token, PowerSync's API token and the API's MQTT password, new random values
///   written into the environment's credentials file (SOPS, same recipients), then Deploy.
/// - deploy-key: a new SSH key authorized on the running instance, kept in the environment's credentials, and the
///   Nova keypair following it (DeployKeyRotation): no new instance.
/// </summary>
sealed class SecretRotation(
    string environment,
    bool isProtected,
    SopsDotenvStore store,
    string credentialsFile,
    Func<string, Task> markDatabasePasswordDue,
    Func<Task> apply,
    Func<Task> deploy,
    Func<Task> rotateJwtKey,
    Func<Task> rotateDeployKey,
    SecretMasker masker,
    string who,
    TimeProvider clock,
    BuildLog log,
    Confirmation confirm,
    CancellationToken cancellationToken)
{
    public static readonly IReadOnlyList<string> Kinds = ["db-password", "jwt-key", "api-tokens", "deploy-key"];

    /// <summary>The environment's credentials that only this stack uses, so a new value needs nobody else.</summary>
    public static readonly IReadOnlyList<string> ApiTokens = ["API_ADMIN_TOKEN", "POWERSYNC_API_TOKEN", "API_MQTT_PASSWORD"];

    public async Task RotateAsync(string? what)
    {
        if (what == null || !Kinds.Contains(what))
            throw new BuildFailure($"Rotate needs --what {string.Join("|", Kinds)}{(what == null ? "" : $" ('{what}' is none of them)")}.");
        var question = what switch
        {
            "db-password" => $"Rotate resets the database password of {environment} (Apply) and deploys the stack with the new one",
            "jwt-key" => $"Rotate gives the API of {environment} a new signing key (the old ones stay published until their tokens expire)",
            "deploy-key" => $"Rotate gives the instance of {environment} a new deploy key (kept in {credentialsFile}) and removes the old one from it; Apply replaces the keypair, not the instance",
            _ => $"Rotate replaces {string.Join(", ", ApiTokens)} in {credentialsFile} and deploys the stack of {environment} with them (the admin token you use changes)",
        };
        if (isProtected) confirm.RequireTyped(question + $"; {environment} is protected", environment);
        else confirm.RequireYes(question + ". Go on?");
        var reason = $"Rotate by {who} on {clock.GetUtcNow().UtcDateTime:yyyy-MM-dd HH:mm} UTC";
        switch (what)
        {
            case "db-password":
                await markDatabasePasswordDue(reason);
                await apply();
                await deploy();
                break;
            case "jwt-key":
                await rotateJwtKey();
                break;
            case "deploy-key":
                await rotateDeployKey();
                break;
            default:
                await RewriteTokensAsync();
                await deploy();
                break;
        }
        log.Success($"Rotated the {what} of {environment} ({reason}).");
    }

    private async Task RewriteTokensAsync()
    {
        var fresh = ApiTokens.ToDictionary(name => name, _ => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));
        foreach (var value in fresh.Values) masker.Register(value);
        await WriteCredentialsAsync(fresh);
        log.Info($"Wrote new {string.Join(", ", ApiTokens)} into {credentialsFile} (same recipients); commit it with the deploy.");
    }

    /// <summary>The environment's own deploy key, written into its credentials (DeployKeyRotation's step 2).</summary>
    public async Task KeepDeployKeyAsync(DeployKey key)
    {
        masker.Register(key.PrivateKey);
        await WriteCredentialsAsync(new Dictionary<string, string> { [DeployKey.PrivateName] = key.PrivateKey, [DeployKey.PublicName] = key.PublicKey });
        log.Info($"Wrote the new deploy key into {credentialsFile} (same recipients): commit it, the team's next run logs in with it.");
    }

    /// <summary>Sets <paramref name="values"/> in the environment's credentials file, the rest as it was (SOPS, same data key and recipients).</summary>
    private async Task WriteCredentialsAsync(IReadOnlyDictionary<string, string> values)
    {
        var opened = await store.OpenAsync(credentialsFile, cancellationToken);
        var items = opened.Plaintext.Items.Select(item => item.Key is { } key && values.TryGetValue(key, out var value) ? DotenvItem.Entry(key, value) : item).ToList();
        items.AddRange(values.Where(f => opened.Plaintext[f.Key] == null).Select(f => DotenvItem.Entry(f.Key, f.Value)));
        store.Write(credentialsFile, new DotenvDocument(items), opened.DataKey, opened.File.Metadata);
    }
}
