namespace AccoReboot.Cloud.OpenStack;

sealed record Flavor(string Id, string Name, int Vcpus, int Ram, int Disk);

sealed record Image(string Id, string Name, string Status, DateTimeOffset CreatedAt);

sealed record Network(string Id, string Name);

sealed record SecurityGroupRule(string? Id, string Direction, string Ethertype, string? Protocol, int? PortMin, int? PortMax, string? RemoteIpPrefix)
{
    /// <summary>What makes two rules the same, ignoring ids.</summary>
    public string Key => $"{Direction} {Ethertype} {Protocol ?? "any"} {PortMin}-{PortMax} from {RemoteIpPrefix ?? "any"}";
}

sealed record SecurityGroup(string Id, string Name, IReadOnlyList<SecurityGroupRule> Rules);

sealed record Keypair(string Name, string PublicKey, string? Fingerprint);

sealed record ServerCreation(string Name, string FlavorId, string ImageId, string NetworkId, string KeyName, string SecurityGroup,
    string UserDataBase64, IReadOnlyDictionary<string, string> Metadata);

sealed record Server(
    string Id,
    string Name,
    string Status,
    string? FaultMessage,
    string? Ipv4,
    string? FlavorId,
    string? ImageId,
    string? KeyName,
    IReadOnlyDictionary<string, string> Metadata,
    IReadOnlyList<string> SecurityGroups);
