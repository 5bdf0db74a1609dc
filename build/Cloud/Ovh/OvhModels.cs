namespace AccoReboot.Cloud.Ovh;

// The parts of the OVH /cloud API schemas (apispecs/ovh-cloud-subset.json) this build reads and writes.

sealed record DbNodePattern(string Flavor, int Number, string Region);

sealed record DbDisk(int? Size);

sealed record DbIpRestriction(string Ip, string? Description = null, string? Status = null);

sealed record DbEndpoint(string? Component, string? Domain, int? Port, string? Scheme, bool? Ssl, string? SslMode, string? Uri);

sealed record DbNode(string? Id, string? Flavor, string? Region, string? Status);

/// <summary>cloud.project.database.service.Backup: when OVH's daily backup starts and where it is kept (retentionDays is read-only, the plan's).</summary>
sealed record DbBackups(string? Time, IReadOnlyList<string>? Regions, int? RetentionDays = null);

/// <summary>cloud.project.database.ServiceCreation</summary>
sealed record DbServiceCreation(
    string Description,
    string Plan,
    string Version,
    DbNodePattern NodesPattern,
    IReadOnlyList<DbIpRestriction>? IpRestrictions = null,
    DbDisk? Disk = null,
    DbBackups? Backups = null);

/// <summary>cloud.project.database.Service (GET); only the writable fields are sent back on PUT.</summary>
sealed record DbService(
    string Id,
    string? Description,
    string? Plan,
    string? Version,
    string? Flavor,
    string? Status,
    int? NodeNumber,
    IReadOnlyList<DbEndpoint>? Endpoints,
    IReadOnlyList<DbIpRestriction>? IpRestrictions,
    DbDisk? Disk,
    IReadOnlyList<DbNode>? Nodes,
    bool? DeletionProtection,
    DbBackups? Backups = null);

/// <summary>The writable part of cloud.project.database.Service, for PUT (read-only fields are not sent).</summary>
sealed record DbServiceUpdate(
    string Description,
    string Plan,
    string Version,
    string Flavor,
    int NodeNumber,
    IReadOnlyList<DbIpRestriction> IpRestrictions,
    DbDisk? Disk = null,
    bool? DeletionProtection = null,
    DbBackups? Backups = null);

sealed record DbDatabase(string? Id, string Name, bool? Default = null);

sealed record DbUserCreation(string Name, IReadOnlyList<string>? Roles = null);

sealed record DbUser(string Id, string? Username, string? Status, IReadOnlyList<string>? Roles);

sealed record DbUserWithPassword(string Id, string? Username, string? Status, string Password, IReadOnlyList<string>? Roles)
{
    public override string ToString() => $"DbUserWithPassword {{ Id = {Id}, Username = {Username}, Password = **** }}";
}

sealed record DbCertificates(string? Ca);

sealed record DbCapabilityEngine(string Name, IReadOnlyList<string>? Versions);

sealed record DbCapabilityName(string Name);

sealed record DbCapabilities(IReadOnlyList<DbCapabilityEngine>? Engines, IReadOnlyList<DbCapabilityName>? Plans, IReadOnlyList<DbCapabilityName>? Flavors, IReadOnlyList<string>? Regions);

sealed record StorageVersioning(string Status);

sealed record StorageContainerCreation(string Name, StorageVersioning? Versioning = null);

sealed record StorageContainer(string Name, string? Region, StorageVersioning? Versioning);
