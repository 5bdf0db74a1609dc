using AccoReboot.Cloud.Http;
using AccoReboot.Cloud.OpenStack;
using AccoReboot.Infra.Apply;
using AccoReboot.State;

namespace AccoReboot.Infra.Resources;

/// <summary>
/// The instance's own security group (never OVH's "default", which lets everything in): SSH from the admin
/// networks, 80/443/1883 from anywhere. Rules are updated in place; Neutron's default egress rules are left alone.
/// </summary>
sealed class SecurityGroupResource(DesiredEnvironment desired) : IManagedResource
{
    public string Kind => "security-group";
    public string Name => desired.SecurityGroupName;
    public IReadOnlyList<string> DependsOn => [];

    public ResourceChange Diff(LiveSnapshot live)
    {
        if (live.SecurityGroup == null)
            return new(Kind, Name, ChangeAction.Create, desired.IngressRules.Select(r => new AttributeChange("rule", null, r.Key)).ToList());
        var current = live.SecurityGroup.Rules.Where(r => r.Direction == "ingress").Select(r => r.Key).ToHashSet();
        var wanted = desired.IngressRules.Select(r => r.Key).ToHashSet();
        var changes = wanted.Except(current).Order().Select(r => new AttributeChange("rule", null, r))
            .Concat(current.Except(wanted).Order().Select(r => new AttributeChange("rule", r, null)))
            .ToList();
        return changes.Count == 0 ? ResourceChange.None(Kind, Name) : new(Kind, Name, ChangeAction.Update, changes);
    }

    public async Task ApplyAsync(ResourceChange change, ApplyContext context)
    {
        var neutron = context.Apis.Neutron;
        var ct = context.CancellationToken;
        var group = change.Action == ChangeAction.Create ? await CreateAsync(context) : context.Live.SecurityGroup!;
        context.Outputs["security-group.id"] = group.Id;
        var existing = group.Rules.Where(r => r.Direction == "ingress").ToList();
        foreach (var rule in desired.IngressRules.Where(r => existing.All(e => e.Key != r.Key)))
        {
            try
            {
                await neutron.CreateRuleAsync(group.Id, rule, ct);
            }
            catch (OpenStackApiException e) when (e.IsConflict)
            {
                // already there: a previous run created it before it stopped
            }
        }
        foreach (var extra in existing.Where(e => desired.IngressRules.All(r => r.Key != e.Key)))
            await neutron.DeleteRuleAsync(extra.Id!, ct);
    }

    private async Task<SecurityGroup> CreateAsync(ApplyContext context)
    {
        var neutron = context.Apis.Neutron;
        SecurityGroup group;
        try
        {
            group = await neutron.CreateSecurityGroupAsync(Name, $"AccoReboot {desired.Name}: SSH from admin networks, HTTP(S) and MQTT", context.CancellationToken);
        }
        catch (Exception e) when (e is CloudUnreachableException || e is OpenStackApiException { Status: >= System.Net.HttpStatusCode.InternalServerError })
        {
            group = (await neutron.SecurityGroupsNamedAsync(Name, context.CancellationToken)).SingleOrDefault() ?? throw AdoptionFailure.Of(e, $"security group {Name}");
        }
        await context.State.UpdateAsync(s => s with { SecurityGroup = new SecurityGroupState(group.Id, group.Name) });
        return group;
    }

    public ResourceChange DestroyChange(LiveSnapshot live, bool destroyData) =>
        live.SecurityGroup == null ? ResourceChange.None(Kind, Name) : new(Kind, Name, ChangeAction.Delete, []);

    public async Task DestroyAsync(ApplyContext context)
    {
        var group = context.Live.SecurityGroup!;
        // the group is in use until the instance is really gone: Neutron answers 409 meanwhile
        await context.Poller.UntilAsync($"{Name} to be released by the instance", async ct =>
        {
            try
            {
                await context.Apis.Neutron.DeleteSecurityGroupAsync(group.Id, ct);
                return true;
            }
            catch (OpenStackApiException e) when (e.IsConflict)
            {
                context.Report(Name, "in use, waiting");
                return false;
            }
        }, done => done, context.Polling.ServerTimeout);
        await context.State.UpdateAsync(s => s with { SecurityGroup = null });
    }
}
