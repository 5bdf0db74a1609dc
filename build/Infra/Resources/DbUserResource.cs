using AccoReboot.Cloud.Http;
using AccoReboot.Cloud.Ovh;
using AccoReboot.Infra.Apply;
using AccoReboot.State;

namespace AccoReboot.Infra.Resources;

/// <summary>
/// The application's database user. OVH shows its password only when creating it or resetting it, so the
/// password is sealed to the environment's age recipients into the state at once; when the state lacks it
/// (lost, or never written because a run stopped), the password is reset.
/// </summary>
sealed class DbUserResource(DesiredEnvironment desired) : IManagedResource
{
    public string Kind => "db-user";
    public string Name => desired.Database.User;
    public IReadOnlyList<string> DependsOn => ["db-cluster." + desired.ClusterName];

    public ResourceChange Diff(LiveSnapshot live)
    {
        if (live.User == null) return new(Kind, Name, ChangeAction.Create, [new("roles", null, string.Join(",", desired.Database.UserRoles)), new("password", null, "(sealed in state)")]);
        return live.UserPasswordKnown
            ? ResourceChange.None(Kind, Name)
            : new(Kind, Name, ChangeAction.Update, [new("password", "(not in state)", "(reset, sealed in state)")]);
    }

    public async Task ApplyAsync(ResourceChange change, ApplyContext context)
    {
        var ovh = context.Apis.Ovh;
        var ct = context.CancellationToken;
        var cluster = context.Outputs["cluster.id"];
        DbUserWithPassword user;
        if (change.Action == ChangeAction.Update)
            user = await OvhRetry.WhenNotReadyAsync(context, cluster, Name, () => ovh.ResetPasswordAsync(cluster, context.Live.User!.Id, ct));
        else
        {
            try
            {
                user = await OvhRetry.WhenNotReadyAsync(context, cluster, Name,
                    () => ovh.CreateUserAsync(cluster, new DbUserCreation(Name, desired.Database.UserRoles), ct));
            }
            catch (Exception e) when (e is CloudUnreachableException || e is OvhApiException { IsServerError: true } || e is OvhApiException { IsConflict: true })
            {
                // created by a call whose answer was lost: its password is unknown, so reset it
                var id = await FindAsync(ovh, cluster, Name, ct) ?? throw AdoptionFailure.Of(e, $"database user {Name}");
                user = await OvhRetry.WhenNotReadyAsync(context, cluster, Name, () => ovh.ResetPasswordAsync(cluster, id, ct));
            }
        }
        var sealedPassword = await context.SealSecret(user.Password);
        await context.State.UpdateAsync(s => s with { DbUser = new DbUserState(user.Id, Name, sealedPassword) });
        await context.Poller.UntilAsync($"database user {Name} to be READY", token => ovh.UserAsync(cluster, user.Id, token),
            u => u.Status is "READY" or "ERROR", context.Polling.ClusterTimeout, u => context.Report(Name, u.Status ?? "?"));
    }

    public static async Task<string?> FindAsync(OvhCloudApi ovh, string cluster, string name, CancellationToken ct)
    {
        foreach (var id in await ovh.UserIdsAsync(cluster, ct))
            if ((await ovh.UserAsync(cluster, id, ct)).Username == name)
                return id;
        return null;
    }

    public ResourceChange DestroyChange(LiveSnapshot live, bool destroyData) => ResourceChange.None(Kind, Name);

    public Task DestroyAsync(ApplyContext context) => Task.CompletedTask;
}
