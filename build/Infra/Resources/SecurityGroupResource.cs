using AccoReboot.Cloud.OpenStack;
using AccoReboot.Infra.Apply;
using BuildEngine;

namespace AccoReboot.Infra.Resources;

sealed record SecurityGroupState(string Id, string Name);

/// <summary>
/// The instance's own security group (never OVH's "default", which lets everything in): SSH from the admin
/// networks, the stack's public ports from anywhere. Rules are updated in place; Neutron's default egress rules
/// are left alone.
/// </summary>
sealed class SecurityGroupResource(DesiredEnvironment desired) : Resource<SecurityGroup, SecurityGroupState>
{
    public override string Kind => "security-group";
    public override string Name => desired.SecurityGroupName;

    protected override async Task<SecurityGroup?> ReadAsync(SecurityGroupState? recorded, ReadContext context)
    {
        var neutron = context.Apis.Neutron;
        if (recorded != null && await neutron.SecurityGroupAsync(recorded.Id, context.CancellationToken) is { } byId && byId.Name == Name)
            return byId;
        return TheOneNamed(await neutron.SecurityGroupsNamedAsync(Name, context.CancellationToken), g => g.Id, "security groups");
    }

    protected override ResourceChange Diff(SecurityGroup? live, PlanContext plan)
    {
        if (live == null)
            return new(Kind, Name, ChangeAction.Create, desired.IngressRules.Select(r => new AttributeChange("rule", null, r.Key)).ToList());
        var current = live.Rules.Where(r => r.Direction == "ingress").Select(r => r.Key).ToHashSet();
        var wanted = desired.IngressRules.Select(r => r.Key).ToHashSet();
        var changes = wanted.Except(current).Order().Select(r => new AttributeChange("rule", null, r))
            .Concat(current.Except(wanted).Order().Select(r => new AttributeChange("rule", r, null)))
            .ToList();
        return changes.Count == 0 ? None() : new(Kind, Name, ChangeAction.Update, changes);
    }

    protected override async Task<SecurityGroup> ApplyAsync(ResourceChange change, SecurityGroup? live, ApplyContext context)
    {
        var neutron = context.Apis.Neutron;
        var ct = context.CancellationToken;
        var group = live;
        if (group == null)
        {
            group = await CreateOrAdoptAsync($"security group {Name}",
                () => neutron.CreateSecurityGroupAsync(Name, $"AccoReboot {desired.Name}: SSH from admin networks, HTTP(S) and MQTT", ct),
                async () => (await neutron.SecurityGroupsNamedAsync(Name, ct)).SingleOrDefault());
            await RecordAsync(context, group);
        }
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
        return group;
    }

    protected override SecurityGroupState? Record(SecurityGroup? live, SecurityGroupState? recorded) => live == null ? null : new(live.Id, live.Name);

    protected override async Task DestroyAsync(SecurityGroup live, ApplyContext context)
    {
        // the group is in use until the instance is really gone: Neutron answers 409 meanwhile
        await context.Poller.UntilAsync($"{Name} to be released by the instance", async ct =>
        {
            try
            {
                await context.Apis.Neutron.DeleteSecurityGroupAsync(live.Id, ct);
                return true;
            }
            catch (OpenStackApiException e) when (e.IsConflict)
            {
                context.Report(this, "in use by the instance, waiting");
                return false;
            }
        }, done => done, context.Polling.ServerTimeout);
    }
}
