using AccoReboot.Cloud.Ovh;
using AccoReboot.Infra.Apply;
using BuildEngine;

namespace AccoReboot.Infra.Resources;

sealed record DnsRecordState(long Id, string Zone, string SubDomain, string Target, int Ttl);

/// <summary>
/// The environment's public name: an A record for Domain in its zone at OVHcloud, pointing at the instance and
/// following it when it is replaced. Its TTL is 5 minutes, so resolvers see a new address within that time (and
/// Let's Encrypt's HTTP challenge reaches the new instance). A zone's change is published by its refresh.
/// </summary>
sealed class DnsRecordResource(DnsName name, InstanceResource instance) : Resource<DnsRecord, DnsRecordState>
{
    public const int Ttl = 300;

    public override string Kind => "dns-record";
    public override string Name => name.Domain;
    public override IReadOnlyList<IResource> DependsOn => [instance];

    protected override async Task<DnsRecord?> ReadAsync(DnsRecordState? recorded, ReadContext context)
    {
        var (dns, ct) = (context.Apis.Dns, context.CancellationToken);
        if (recorded?.Zone == name.Zone)
        {
            try
            {
                var byId = await dns.RecordAsync(name.Zone, recorded.Id, ct);
                if (byId.FieldType == "A" && (byId.SubDomain ?? "") == name.SubDomain) return byId;
            }
            catch (OvhApiException e) when (e.IsNotFound)
            {
            }
        }
        List<long> ids;
        try
        {
            ids = await dns.RecordIdsAsync(name.Zone, "A", name.SubDomain, ct);
        }
        catch (OvhApiException e) when (e.IsNotFound)
        {
            throw new BuildFailure($"The DNS zone {name.Zone} is not one this OVH account manages ({e.Message}): set DnsZone to the zone {name.Domain} is in, or ManageDns false to keep its DNS by hand.");
        }
        return ids.Count switch
        {
            0 => null,
            1 => await dns.RecordAsync(name.Zone, ids[0], ct),
            _ => throw new BuildFailure($"{ids.Count} A records are named {name.Domain} in the zone {name.Zone} (ids {string.Join(", ", ids)}): delete the extra ones, then run again."),
        };
    }

    protected override ResourceChange Diff(DnsRecord? live, PlanContext plan)
    {
        var ipv4 = plan.ChangeOf(instance).Action == ChangeAction.NoOp ? plan.Live.Of(instance)?.Server?.Ipv4 ?? AttributeChange.KnownAfterApply : AttributeChange.KnownAfterApply;
        if (live == null)
            return new(Kind, Name, ChangeAction.Create, [new("A", null, ipv4), new("ttl", null, Ttl.ToString())]);
        var changes = new List<AttributeChange>();
        if (live.Target != ipv4) changes.Add(new("A", live.Target, ipv4));
        if (live.Ttl != Ttl) changes.Add(new("ttl", live.Ttl?.ToString(), Ttl.ToString()));
        return changes.Count == 0 ? None() : new(Kind, Name, ChangeAction.Update, changes);
    }

    protected override async Task<DnsRecord> ApplyAsync(ResourceChange change, DnsRecord? live, ApplyContext context)
    {
        var (dns, ct) = (context.Apis.Dns, context.CancellationToken);
        var ipv4 = context.Current(instance)?.Server?.Ipv4
                   ?? throw new BuildFailure($"The instance has no IPv4 yet: {Name} cannot point at it. Run Apply again once it is ACTIVE.");
        DnsRecord record;
        if (live == null)
            record = await CreateOrAdoptAsync($"the A record {Name}",
                () => dns.CreateRecordAsync(name.Zone, new DnsRecordCreation("A", name.SubDomain, ipv4, Ttl), ct),
                async () => await dns.RecordIdsAsync(name.Zone, "A", name.SubDomain, ct) is [var id] ? await dns.RecordAsync(name.Zone, id, ct) : null);
        else
        {
            await dns.UpdateRecordAsync(name.Zone, live.Id, new DnsRecordUpdate(name.SubDomain, ipv4, Ttl), ct);
            record = live with { Target = ipv4, Ttl = Ttl };
        }
        // recorded before the refresh: a run that stops between the two finds the record by its id
        await RecordAsync(context, record);
        await dns.RefreshAsync(name.Zone, ct);
        return record;
    }

    protected override DnsRecordState? Record(DnsRecord? live, DnsRecordState? recorded) =>
        live == null ? null : new(live.Id, name.Zone, name.SubDomain, live.Target, live.Ttl ?? Ttl);

    protected override async Task DestroyAsync(DnsRecord live, ApplyContext context)
    {
        await context.Apis.Dns.DeleteRecordAsync(name.Zone, live.Id, context.CancellationToken);
        await context.Apis.Dns.RefreshAsync(name.Zone, context.CancellationToken);
    }
}
