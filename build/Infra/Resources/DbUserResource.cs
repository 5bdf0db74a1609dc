using AccoReboot.Cloud.Ovh;
using AccoReboot.Infra.Apply;
using AccoReboot.State;

namespace AccoReboot.Infra.Resources;

sealed record DbUserState(string Id, string Username, string? SealedPassword);

/// <summary>The user as read, and whether the state holds its password (sealed) for this very user.</summary>
/// <summary>The user as read; <c>RotationDue</c> says why its password must be reset although the state holds it (SopsUpdateKeys removed someone who could open it).</summary>
sealed record DbUserLive(DbUser User, bool PasswordKnown, string? SealedPassword = null, string? RotationDue = null);

/// <summary>
/// The application's database user. OVH shows its password only when creating it or resetting it, so the
/// password is sealed to the environment's age recipients into the state at once; when the state lacks it
/// (lost, or never written because a run stopped), the password is reset.
/// </summary>
sealed class DbUserResource(DesiredEnvironment desired, DbClusterResource cluster) : Resource<DbUserLive, DbUserState>
{
    public override string Kind => "db-user";
    public override string Name => desired.Database.User;
    public override IReadOnlyList<IResource> DependsOn => [cluster];

    protected override async Task<DbUserLive?> ReadAsync(DbUserState? recorded, ReadContext context)
    {
        if (await context.LiveOf(cluster) is not { } live) return null;
        var (ovh, ct) = (context.Apis.Ovh, context.CancellationToken);
        DbUser? user = null;
        if (recorded != null)
        {
            try
            {
                user = await ovh.UserAsync(live.Id, recorded.Id, ct) is { } byId && byId.Username == Name ? byId : null;
            }
            catch (OvhApiException e) when (e.IsNotFound)
            {
            }
        }
        user ??= await FindAsync(ovh, live.Id, ct);
        var due = context.State?.RotationDue.GetValueOrDefault(StateDocument.DatabasePasswordRotation);
        return user == null ? null
            : new DbUserLive(user, recorded is { SealedPassword: not null } && recorded.Id == user.Id, recorded?.Id == user.Id ? recorded.SealedPassword : null, due);
    }

    private async Task<DbUser?> FindAsync(OvhCloudApi ovh, string clusterId, CancellationToken ct)
    {
        foreach (var id in await ovh.UserIdsAsync(clusterId, ct))
            if (await ovh.UserAsync(clusterId, id, ct) is { } user && user.Username == Name)
                return user;
        return null;
    }

    protected override ResourceChange Diff(DbUserLive? live, PlanContext plan)
    {
        if (live == null || plan.ChangeOf(cluster).Action is ChangeAction.Create or ChangeAction.Replace)
            return new(Kind, Name, ChangeAction.Create, [new("roles", null, string.Join(",", desired.Database.UserRoles)), new("password", null, "(sealed in state)")]);
        if (live.RotationDue is { } why) return new(Kind, Name, ChangeAction.Update, [new("password", $"(due for rotation: {why})", "(reset, sealed in state)")]);
        return live.PasswordKnown ? None() : new(Kind, Name, ChangeAction.Update, [new("password", "(not in state)", "(reset, sealed in state)")]);
    }

    protected override async Task<DbUserLive> ApplyAsync(ResourceChange change, DbUserLive? live, ApplyContext context)
    {
        var (ovh, ct) = (context.Apis.Ovh, context.CancellationToken);
        var clusterId = cluster.IdIn(context);
        Task<DbUserWithPassword> Reset(string id) => cluster.WhenBusyAsync(context, this, clusterId, () => ovh.ResetPasswordAsync(clusterId, id, ct));
        DbUserWithPassword user;
        if (change.Action == ChangeAction.Update) user = await Reset(live!.User.Id);
        else
        {
            // a user created by a call whose answer was lost has a password nobody knows: reset it
            var created = await CreateOrAdoptAsync($"database user {Name}",
                () => cluster.WhenBusyAsync(context, this, clusterId, () => ovh.CreateUserAsync(clusterId, new DbUserCreation(Name, desired.Database.UserRoles), ct)),
                async () => await FindAsync(ovh, clusterId, ct) is { } found ? new DbUserWithPassword(found.Id, found.Username, found.Status, "", found.Roles) : null);
            user = created!.Password.Length > 0 ? created : await Reset(created.Id);
        }
        var sealedPassword = await context.SealSecret(user.Password);
        var made = new DbUserLive(new DbUser(user.Id, user.Username ?? Name, user.Status, user.Roles), true, sealedPassword);
        await RecordAsync(context, made);
        // rotated: whoever was removed from the recipients cannot use what they may have kept
        if (live?.RotationDue != null)
            await context.State.UpdateAsync(s => s with { RotationDue = s.RotationDue.Where(e => e.Key != StateDocument.DatabasePasswordRotation).ToDictionary() });
        var ready = await context.Poller.UntilAsync($"database user {Name} to be READY", token => ovh.UserAsync(clusterId, user.Id, token),
            u => u.Status is "READY" or "ERROR", context.Polling.ClusterTimeout, u => context.Report(this, $"user {u.Status ?? "?"}"));
        return made with { User = ready };
    }

    protected override DbUserState? Record(DbUserLive? live, DbUserState? recorded) =>
        live == null ? null : new DbUserState(live.User.Id, live.User.Username ?? Name, live.SealedPassword ?? (recorded?.Id == live.User.Id ? recorded.SealedPassword : null));

    protected override EnvironmentOutputs Export(DbUserState recorded, EnvironmentOutputs outputs) =>
        outputs with { DatabaseUser = recorded.Username, SealedDatabasePassword = recorded.SealedPassword };

    protected override ResourceChange DestroyChange(DbUserLive? live, bool destroyData) => None();
}
