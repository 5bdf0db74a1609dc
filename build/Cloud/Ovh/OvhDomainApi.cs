namespace AccoReboot.Cloud.Ovh;

/// <summary>A record of a DNS zone (domain.zone.Record).</summary>
sealed record DnsRecord(long Id, string? Zone, string FieldType, string? SubDomain, string Target, int? Ttl);

/// <summary>What a record is created with (domain.zone.RecordCreate).</summary>
sealed record DnsRecordCreation(string FieldType, string? SubDomain, string Target, int Ttl);

/// <summary>What a record's change sends (domain.zone.RecordUpdate).</summary>
sealed record DnsRecordUpdate(string? SubDomain, string Target, int Ttl);

sealed record DnsZone(string Name, IReadOnlyList<string>? NameServers);

/// <summary>
/// The /domain/zone calls this build makes: the records of a zone managed at OVHcloud. Paths as in
/// apispecs/ovh-domain-subset.json; a change takes effect after the zone's refresh (its README).
/// </summary>
sealed class OvhDomainApi(OvhClient client)
{
    private static string Zone(string zone) => $"domain/zone/{Uri.EscapeDataString(zone)}";

    public Task<DnsZone> ZoneAsync(string zone, CancellationToken ct) => client.GetAsync<DnsZone>(Zone(zone), ct);

    public Task<List<long>> RecordIdsAsync(string zone, string fieldType, string subDomain, CancellationToken ct) =>
        client.GetAsync<List<long>>($"{Zone(zone)}/record?fieldType={Uri.EscapeDataString(fieldType)}&subDomain={Uri.EscapeDataString(subDomain)}", ct);

    public Task<DnsRecord> RecordAsync(string zone, long id, CancellationToken ct) => client.GetAsync<DnsRecord>($"{Zone(zone)}/record/{id}", ct);

    public Task<DnsRecord> CreateRecordAsync(string zone, DnsRecordCreation record, CancellationToken ct) => client.PostAsync<DnsRecord>($"{Zone(zone)}/record", record, ct);

    public Task UpdateRecordAsync(string zone, long id, DnsRecordUpdate record, CancellationToken ct) =>
        client.PutAsync<System.Text.Json.JsonElement?>($"{Zone(zone)}/record/{id}", record, ct);

    public Task DeleteRecordAsync(string zone, long id, CancellationToken ct) => client.DeleteAsync($"{Zone(zone)}/record/{id}", ct);

    /// <summary>Publishes the zone's changes (OVH applies them only then).</summary>
    public Task RefreshAsync(string zone, CancellationToken ct) => client.PostAsync<System.Text.Json.JsonElement?>($"{Zone(zone)}/refresh", null, ct);
}
