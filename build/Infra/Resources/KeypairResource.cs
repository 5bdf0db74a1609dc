using AccoReboot.Cloud.OpenStack;
using AccoReboot.Infra.Apply;
using BuildEngine;

namespace AccoReboot.Infra.Resources;

sealed record KeypairState(string Name, string? Fingerprint);

/// <summary>The deploy key registered in Nova. Nova keypairs cannot change: a new key replaces it.</summary>
sealed class KeypairResource(DesiredEnvironment desired) : Resource<Keypair, KeypairState>
{
    public override string Kind => "keypair";
    public override string Name => desired.KeypairName;

    protected override Task<Keypair?> ReadAsync(KeypairState? recorded, ReadContext context) =>
        context.Apis.Nova.KeypairAsync(Name, context.CancellationToken);

    protected override ResourceChange Diff(Keypair? live, PlanContext plan)
    {
        if (live == null) return new(Kind, Name, ChangeAction.Create, [new("public_key", null, Shorten(desired.SshPublicKey))]);
        return SameKey(live.PublicKey, desired.SshPublicKey)
            ? None()
            : new(Kind, Name, ChangeAction.Replace, [new("public_key", Shorten(live.PublicKey), Shorten(desired.SshPublicKey), ForcesReplacement: true)]);
    }

    protected override async Task<Keypair> ApplyAsync(ResourceChange change, Keypair? live, ApplyContext context)
    {
        var nova = context.Apis.Nova;
        var ct = context.CancellationToken;
        if (change.Action == ChangeAction.Replace) await nova.DeleteKeypairAsync(Name, ct);
        var keypair = await CreateOrAdoptAsync($"keypair {Name}", () => nova.CreateKeypairAsync(Name, desired.SshPublicKey.Trim(), ct), () => nova.KeypairAsync(Name, ct));
        if (!SameKey(keypair.PublicKey, desired.SshPublicKey))
            throw new BuildFailure($"A keypair named {Name} exists with another public key; it is not ours to replace without a plan: run Plan again.");
        return keypair;
    }

    protected override KeypairState? Record(Keypair? live, KeypairState? recorded) => live == null ? null : new(live.Name, live.Fingerprint);

    protected override Task DestroyAsync(Keypair live, ApplyContext context) => context.Apis.Nova.DeleteKeypairAsync(Name, context.CancellationToken);

    // Nova may drop the comment of a key: compare type and key material
    private static bool SameKey(string a, string b) => Secrets.DeployKey.MaterialOf(a) == Secrets.DeployKey.MaterialOf(b);

    private static string Shorten(string key)
    {
        var parts = key.Trim().Split(' ');
        return parts.Length > 1 && parts[1].Length > 16 ? $"{parts[0]} …{parts[1][^12..]}" : key;
    }
}
