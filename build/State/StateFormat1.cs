using System.Text.Json.Nodes;

namespace AccoReboot.State;

/// <summary>
/// Reads a state of format 1 (one field per kind of resource) as format 2 (a slice per resource address). The
/// slices kept their shape; format 1 named its resources by field, so the addresses are built here from the
/// environment's fixed names. The next write stores format 2.
/// </summary>
static class StateFormat1
{
    public static JsonObject Upgrade(JsonObject old)
    {
        var environment = old["environment"]?.GetValue<string>() ?? "";
        var resources = new JsonObject();
        void Move(string field, string address)
        {
            if (old[field] is JsonObject slice) resources[address] = slice.DeepClone();
        }
        Move("securityGroup", $"security-group.{environment}-backend-sg");
        Move("keypair", $"keypair.{environment}-deploy");
        Move("instance", $"instance.{environment}-backend");
        Move("dbCluster", $"db-cluster.{environment}-postgresql");
        if (old["databases"] is JsonObject databases)
            foreach (var (name, id) in databases)
                resources[$"database.{name}"] = new JsonObject { ["id"] = id?.DeepClone(), ["name"] = name };
        if (old["dbUser"] is JsonObject user) resources[$"db-user.{user["username"]}"] = user.DeepClone();
        if (old["dbIpRestrictions"] is JsonArray { Count: > 0 } ips)
            resources[$"db-ip-restriction.{environment}-postgresql"] = new JsonObject { ["ips"] = ips.DeepClone() };

        var instance = old["instance"] as JsonObject;
        var cluster = old["dbCluster"] as JsonObject;
        var outputs = new JsonObject
        {
            ["instanceId"] = instance?["id"]?.DeepClone(),
            ["ipv4"] = instance?["ipv4"]?.DeepClone(),
            ["databaseHost"] = cluster?["host"]?.DeepClone(),
            ["databasePort"] = cluster?["port"]?.DeepClone(),
            ["databaseCa"] = cluster?["caCertificate"]?.DeepClone(),
            ["databaseStatus"] = cluster?["status"]?.DeepClone(),
            ["databaseUser"] = old["dbUser"]?["username"]?.DeepClone(),
            ["sealedDatabasePassword"] = old["dbUser"]?["sealedPassword"]?.DeepClone(),
        };
        // format 1 cleared them when the instance changed: what it holds belongs to the instance it holds
        var deployFacts = new[] { "hostKey", "release" }.Where(f => old[f] is JsonObject).ToList();
        var upgraded = new JsonObject
        {
            ["format"] = 2,
            ["environment"] = environment,
            ["serial"] = old["serial"]?.DeepClone(),
            ["resources"] = resources,
            ["outputs"] = outputs,
            ["lastChange"] = old["lastChange"]?.DeepClone(),
        };
        foreach (var fact in deployFacts)
        {
            var copy = (JsonObject)old[fact]!.DeepClone();
            copy["instanceId"] = instance?["id"]?.DeepClone();
            upgraded[fact] = copy;
        }
        return upgraded;
    }
}
