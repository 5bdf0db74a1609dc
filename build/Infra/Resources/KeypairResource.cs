using AccoReboot.Cloud.Http;
using AccoReboot.Cloud.OpenStack;
using AccoReboot.Infra.Apply;
using AccoReboot.State;
using BuildEngine;

namespace AccoReboot.Infra.Resources;

/// <summary>The deploy key registered in Nova. Nova keypairs cannot change: a new key replaces it.</summary>
sealed class KeypairResource(DesiredEnvironment desired) : IManagedResource
{
    public string Kind => "keypair";
    public string Name => desired.KeypairName;
    public IReadOnlyList<string> DependsOn => [];

    public ResourceChange Diff(LiveSnapshot live)
    {
        if (live.Keypair == null) return new(Kind, Name, ChangeAction.Create, [new("public_key", null, Shorten(desired.SshPublicKey))]);
        return SameKey(live.Keypair.PublicKey, desired.SshPublicKey)
            ? ResourceChange.None(Kind, Name)
            : new(Kind, Name, ChangeAction.Replace, [new("public_key", Shorten(live.Keypair.PublicKey), Shorten(desired.SshPublicKey), ForcesReplacement: true)]);
    }

    public async Task ApplyAsync(ResourceChange change, ApplyContext context)
    {
        var nova = context.Apis.Nova;
        var ct = context.CancellationToken;
        if (change.Action == ChangeAction.Replace) await nova.DeleteKeypairAsync(Name, ct);
        Keypair keypair;
        try
        {
            keypair = await nova.CreateKeypairAsync(Name, desired.SshPublicKey.Trim(), ct);
        }
        catch (Exception e) when (e is CloudUnreachableException || e is OpenStackApiException { IsConflict: true } || e is OpenStackApiException { Status: >= System.Net.HttpStatusCode.InternalServerError })
        {
            keypair = await nova.KeypairAsync(Name, ct) ?? throw AdoptionFailure.Of(e, $"keypair {Name}");
            if (!SameKey(keypair.PublicKey, desired.SshPublicKey))
                throw new BuildFailure($"A keypair named {Name} exists with another public key; it is not ours to replace without a plan: run Plan again.");
        }
        await context.State.UpdateAsync(s => s with { Keypair = new KeypairState(keypair.Name, keypair.Fingerprint) });
    }

    public ResourceChange DestroyChange(LiveSnapshot live, bool destroyData) =>
        live.Keypair == null ? ResourceChange.None(Kind, Name) : new(Kind, Name, ChangeAction.Delete, []);

    public async Task DestroyAsync(ApplyContext context)
    {
        await context.Apis.Nova.DeleteKeypairAsync(Name, context.CancellationToken);
        await context.State.UpdateAsync(s => s with { Keypair = null });
    }

    // Nova may drop the comment of a key: compare type and key material
    private static bool SameKey(string a, string b) =>
        string.Join(' ', a.Trim().Split(' ').Take(2)) == string.Join(' ', b.Trim().Split(' ').Take(2));

    private static string Shorten(string key)
    {
        var parts = key.Trim().Split(' ');
        return parts.Length > 1 && parts[1].Length > 16 ? $"{parts[0]} …{parts[1][^12..]}" : key;
    }
}
