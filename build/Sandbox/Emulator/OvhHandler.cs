using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using AccoReboot.Cloud.Ovh;

namespace AccoReboot.Sandbox.Emulator;

/// <summary>
/// The OVH /cloud API as far as the build uses it: managed PostgreSQL (clusters, databases, users, certificates,
/// capabilities) and storage containers. Behaves like the documented API: signed calls only, 409 ServiceNotReady
/// while a cluster is not READY, 409 when a name exists, passwords shown only on create and reset.
/// </summary>
sealed class OvhHandler(EmulatorWorld world)
{
    private EmulatorOptions Options => world.Options;
    private readonly DomainHandler _domains = new(world);

    public EmulatorResponse Handle(EmulatorRequest request)
    {
        var s = request.Segments;
        if (s is ["auth", "time"])
            return EmulatorResponse.Json(200, JsonValue.Create((world.Now + Options.OvhClockSkew).ToUnixTimeSeconds()));
        if (Authenticate(request) is { } refused) return refused;
        if (s.Count >= 3 && s[0] == "domain" && s[1] == "zone")
        {
            lock (world.Gate) return _domains.Handle(request, s[2], s.Skip(3).ToList());
        }
        if (s.Count < 3 || s[0] != "cloud" || s[1] != "project") return Error(404, "Client::NotFound", "Not found");
        if (s[2] != Options.ProjectId) return Error(404, "Client::NotFound::ProjectNotFound", $"This service does not exist ({s[2]})");
        var rest = s.Skip(3).ToList();
        lock (world.Gate)
        {
            return (request.Method, rest) switch
            {
                ("GET", ["database", "capabilities"]) => Capabilities(),
                ("GET", ["database", "availability"]) => EmulatorResponse.Json(200, new JsonArray()),
                ("GET", ["database", "postgresql"]) => EmulatorResponse.Json(200, new JsonArray(LiveClusters().Select(c => (JsonNode)JsonValue.Create(c.Id)!).ToArray())),
                ("POST", ["database", "postgresql"]) => CreateCluster(request.Json!),
                (_, ["database", "postgresql", var id, .. var sub]) => WithCluster(id, cluster => Cluster(request, cluster, sub)),
                ("GET", ["region", var region, "storage", var name]) => Container(region, name),
                ("POST", ["region", var region, "storage"]) => CreateContainer(region, request.Json!),
                ("DELETE", ["region", _, "storage", var name]) => world.S3.DeleteBucket(name) ? EmulatorResponse.Empty(200) : Error(404, "Client::NotFound", "Container not found"),
                _ => Error(404, "Client::NotFound", $"{request.Method} {request.Path} is not emulated"),
            };
        }
    }

    private EmulatorResponse? Authenticate(EmulatorRequest request)
    {
        var application = request.Header("X-Ovh-Application");
        if (application != Options.ApplicationKey) return Error(403, "INVALID_KEY", "Invalid application key", errorCodeStyle: true);
        var consumer = request.Header("X-Ovh-Consumer");
        if (consumer != Options.ConsumerKey) return Error(403, "INVALID_CREDENTIAL", "This credential is not valid", errorCodeStyle: true);
        if (!long.TryParse(request.Header("X-Ovh-Timestamp"), out var timestamp)) return Error(400, "INVALID_SIGNATURE", "Missing timestamp", errorCodeStyle: true);
        var serverTime = (world.Now + Options.OvhClockSkew).ToUnixTimeSeconds();
        if (Math.Abs(serverTime - timestamp) > 60) return Error(400, "INVALID_SIGNATURE", "Query out of time (use /auth/time)", errorCodeStyle: true);
        var url = request.Header("X-Emulator-Url")!;
        var expected = OvhSignature.Compute(Options.ApplicationSecret, Options.ConsumerKey, request.Method, url, request.Body, timestamp);
        if (!CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(expected), System.Text.Encoding.ASCII.GetBytes(request.Header("X-Ovh-Signature") ?? "")))
            return Error(400, "INVALID_SIGNATURE", "Invalid signature", errorCodeStyle: true);
        return null;
    }

    private IEnumerable<EmulatedCluster> LiveClusters() => world.Clusters.Values.Where(c => c.Status(world.Now) != null).OrderBy(c => c.CreatedAt);

    private EmulatorResponse Capabilities() => EmulatorResponse.Json(200, new JsonObject
    {
        ["engines"] = new JsonArray(new JsonObject
        {
            ["name"] = "postgresql",
            ["versions"] = new JsonArray(EmulatorWorld.DbVersions.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray()),
            ["defaultVersion"] = "17",
            ["sslModes"] = new JsonArray("require"),
            ["description"] = "PostgreSQL",
            ["category"] = "operational",
            ["storage"] = "replicated",
        }),
        ["plans"] = new JsonArray(EmulatorWorld.DbPlans.Select(p => (JsonNode)new JsonObject { ["name"] = p, ["description"] = p, ["backupRetention"] = "P2D" }).ToArray()),
        ["flavors"] = new JsonArray(EmulatorWorld.DbFlavors.Select(f => (JsonNode)new JsonObject { ["name"] = f, ["core"] = 1, ["memory"] = 4, ["storage"] = 80 }).ToArray()),
        ["regions"] = new JsonArray(EmulatorWorld.DbRegions.Select(r => (JsonNode)JsonValue.Create(r)!).ToArray()),
        ["disks"] = new JsonArray("ssd"),
        ["options"] = new JsonArray(),
    });

    private EmulatorResponse CreateCluster(JsonNode body)
    {
        var plan = body["plan"]?.GetValue<string>() ?? "";
        var version = body["version"]?.GetValue<string>() ?? "";
        var pattern = body["nodesPattern"];
        var flavor = pattern?["flavor"]?.GetValue<string>() ?? "";
        var region = pattern?["region"]?.GetValue<string>() ?? "";
        if (pattern == null && body["nodesList"] == null) return Error(400, "Client::BadRequest::AtLeastOneNode", "At least one node must be specified");
        if (!EmulatorWorld.DbPlans.Contains(plan) || !EmulatorWorld.DbVersions.Contains(version) || !EmulatorWorld.DbFlavors.Contains(flavor) || !EmulatorWorld.DbRegions.Contains(region)
            || !EmulatorWorld.NodesFit(plan, pattern?["number"]?.GetValue<int>() ?? 1))
            return Error(404, "Client::NotFound::NoMatchingAvailability", "no compute matches your expectations, please refer to the availability endpoint");
        var restrictions = new List<(string, string?)>();
        foreach (var item in body["ipRestrictions"]?.AsArray() ?? [])
        {
            var ip = item!["ip"]!.GetValue<string>();
            if (!IsCidr(ip)) return Error(400, "Client::BadRequest::InvalidIpBlock", $"Invalid IP block {ip}");
            restrictions.Add((ip, item["description"]?.GetValue<string>()));
        }
        var now = world.Now;
        var cluster = new EmulatedCluster
        {
            Id = Guid.NewGuid().ToString(),
            Description = body["description"]?.GetValue<string>() ?? "",
            Plan = plan,
            Version = version,
            Flavor = flavor,
            Region = region,
            Nodes = pattern?["number"]?.GetValue<int>() ?? 1,
            DiskSize = body["disk"]?["size"]?.GetValue<int>(),
            BackupTime = body["backups"]?["time"]?.GetValue<string>() ?? "02:00:00",
            IpRestrictions = restrictions,
            CreatedAt = now,
            ReadyAt = now + Options.DatabaseCreateDelay,
        };
        cluster.Databases[Guid.NewGuid().ToString()] = "defaultdb";
        world.Clusters[cluster.Id] = cluster;
        world.Timeline.Add(new TimelineEntry("cluster", cluster.Description, now, cluster.ReadyAt, []));
        return EmulatorResponse.Json(200, ServiceJson(cluster));
    }

    private EmulatorResponse WithCluster(string id, Func<EmulatedCluster, EmulatorResponse> action) =>
        world.Clusters.TryGetValue(id, out var cluster) && cluster.Status(world.Now) != null
            ? action(cluster)
            : Error(404, "Client::NotFound::ServiceNotFound", $"Service {id} not found");

    private EmulatorResponse Cluster(EmulatorRequest request, EmulatedCluster cluster, IReadOnlyList<string> sub)
    {
        var status = cluster.Status(world.Now);
        var ready = status == "READY";
        switch (request.Method, sub)
        {
            case ("GET", []):
                return EmulatorResponse.Json(200, ServiceJson(cluster));
            case ("PUT", []):
                if (!ready) return NotReady(status);
                return UpdateCluster(cluster, request.Json!);
            case ("DELETE", []):
                if (status == "DELETING") return Error(409, "Client::Conflict::ServiceNotReady", "Service is being deleted");
                cluster.DeletedAt = world.Now + Options.DatabaseDeleteDelay;
                if (Options.Postgres is { } pg)
                {
                    // the databases first: their tables belong to the users
                    foreach (var database in cluster.Databases.Values.Where(d => d != "defaultdb")) pg.DropDatabase(database);
                    foreach (var user in cluster.Users.Values) pg.DropUser(user.Username);
                }
                return EmulatorResponse.Empty(200);
            case ("GET", ["certificates"]):
                return EmulatorResponse.Json(200, new JsonObject { ["ca"] = Options.Postgres?.CaCertificate ?? FakeCa });
            case ("GET", ["database"]):
                return EmulatorResponse.Json(200, new JsonArray(cluster.Databases.Keys.Select(k => (JsonNode)JsonValue.Create(k)!).ToArray()));
            case ("POST", ["database"]):
            {
                if (!ready) return NotReady(status);
                var name = request.Json!["name"]!.GetValue<string>();
                if (cluster.Databases.ContainsValue(name)) return Error(409, "Client::Conflict::DatabaseAlreadyExists", $"Database {name} already exists");
                var id = Guid.NewGuid().ToString();
                var started = world.Now;
                Options.Postgres?.CreateDatabase(name);
                cluster.Databases[id] = name;
                world.Timeline.Add(new TimelineEntry("database", name, started, world.Now, Options.Postgres == null ? ["cluster"] : ["cluster", "database", "user"]));
                return EmulatorResponse.Json(200, DatabaseJson(id, name));
            }
            case ("GET", ["database", var id]):
                return cluster.Databases.TryGetValue(id, out var dbName)
                    ? EmulatorResponse.Json(200, DatabaseJson(id, dbName))
                    : Error(404, "Client::NotFound::DatabaseNotFound", $"Database {id} not found");
            case ("DELETE", ["database", var id]):
                if (!cluster.Databases.Remove(id, out var dropped)) return Error(404, "Client::NotFound::DatabaseNotFound", $"Database {id} not found");
                Options.Postgres?.DropDatabase(dropped);
                return EmulatorResponse.Empty(200);
            case ("GET", ["user"]):
                return EmulatorResponse.Json(200, new JsonArray(cluster.Users.Keys.Select(k => (JsonNode)JsonValue.Create(k)!).ToArray()));
            case ("POST", ["user"]):
            {
                if (!ready) return NotReady(status);
                var name = request.Json!["name"]!.GetValue<string>();
                if (cluster.Users.Values.Any(u => u.Username == name)) return Error(409, "Client::Conflict::PostgresUserAlreadyExist", $"User {name} already exists");
                var roles = request.Json["roles"]?.AsArray().Select(r => r!.GetValue<string>()).ToList() ?? [];
                var user = new EmulatedDbUser { Id = Guid.NewGuid().ToString(), Username = name, Roles = roles, CreatedAt = world.Now, ReadyAt = world.Now + Options.UserCreateDelay };
                var password = NewPassword();
                Options.Postgres?.CreateUser(name, password, roles);
                cluster.Users[user.Id] = user;
                world.Timeline.Add(new TimelineEntry("user", name, user.CreatedAt, world.Now > user.ReadyAt ? world.Now : user.ReadyAt,
                    Options.Postgres == null ? ["cluster"] : ["cluster", "database", "user"]));
                return EmulatorResponse.Json(200, UserJson(user, password));
            }
            case ("GET", ["user", var id]):
                return cluster.Users.TryGetValue(id, out var found)
                    ? EmulatorResponse.Json(200, UserJson(found, null))
                    : Error(404, "Client::NotFound::UserNotFound", $"User {id} not found");
            case ("DELETE", ["user", var id]):
                if (!cluster.Users.Remove(id, out var removed)) return Error(404, "Client::NotFound::UserNotFound", $"User {id} not found");
                Options.Postgres?.DropUser(removed.Username);
                return EmulatorResponse.Empty(200);
            case ("POST", ["user", var id, "credentials", "reset"]):
            {
                if (!ready) return NotReady(status);
                if (!cluster.Users.TryGetValue(id, out var user)) return Error(404, "Client::NotFound::UserNotFound", $"User {id} not found");
                var password = NewPassword();
                Options.Postgres?.SetPassword(user.Username, password);
                return EmulatorResponse.Json(200, UserJson(user, password));
            }
            default:
                return Error(404, "Client::NotFound", $"{request.Method} {request.Path} is not emulated");
        }
    }

    private EmulatorResponse UpdateCluster(EmulatedCluster cluster, JsonNode body)
    {
        if (body["plan"]?.GetValue<string>() is { } plan)
        {
            if (!EmulatorWorld.DbPlans.Contains(plan)) return Error(404, "Client::NotFound::NoMatchingAvailability", "no compute matches your expectations");
            cluster.Plan = plan;
        }
        if (body["flavor"]?.GetValue<string>() is { } flavor)
        {
            if (!EmulatorWorld.DbFlavors.Contains(flavor)) return Error(404, "Client::NotFound::NoMatchingAvailability", "no compute matches your expectations");
            cluster.Flavor = flavor;
        }
        if (body["version"]?.GetValue<string>() is { } version)
        {
            if (!EmulatorWorld.DbVersions.Contains(version)) return Error(400, "Client::BadRequest::InvalidVersion", $"Version {version} is not available");
            cluster.Version = version;
        }
        if (body["description"]?.GetValue<string>() is { } description) cluster.Description = description;
        if (body["nodeNumber"]?.GetValue<int>() is { } nodes)
        {
            if (!EmulatorWorld.NodesFit(cluster.Plan, nodes)) return Error(404, "Client::NotFound::NoMatchingAvailability", "no compute matches your expectations");
            cluster.Nodes = nodes;
        }
        if (body["disk"]?["size"]?.GetValue<int>() is { } size) cluster.DiskSize = size;
        if (body["backups"]?["time"]?.GetValue<string>() is { } backupTime) cluster.BackupTime = backupTime;
        if (body["ipRestrictions"] is JsonArray restrictions)
        {
            var list = new List<(string, string?)>();
            foreach (var item in restrictions)
            {
                var ip = item!["ip"]!.GetValue<string>();
                if (!IsCidr(ip)) return Error(400, "Client::BadRequest::InvalidIpBlock", $"Invalid IP block {ip}");
                list.Add((ip, item["description"]?.GetValue<string>()));
            }
            cluster.IpRestrictions = list;
        }
        cluster.UpdatingUntil = world.Now + Options.DatabaseUpdateDelay;
        world.Timeline.Add(new TimelineEntry("ip-restriction", cluster.Description, world.Now, cluster.UpdatingUntil.Value, ["cluster", "server", "database"]));
        return EmulatorResponse.Json(200, ServiceJson(cluster));
    }

    private EmulatorResponse Container(string region, string name)
    {
        var bucket = world.S3.Bucket(name);
        return bucket == null
            ? Error(404, "Client::NotFound", $"Container {name} not found")
            : EmulatorResponse.Json(200, new JsonObject
            {
                ["name"] = name,
                ["region"] = region,
                ["versioning"] = new JsonObject { ["status"] = bucket.Versioning ? "enabled" : "disabled" },
                ["objectsCount"] = bucket.Objects.Count,
                ["objectsSize"] = 0,
                ["createdAt"] = world.Now.ToString("O", CultureInfo.InvariantCulture),
                ["virtualHost"] = $"{name}.s3.{region.ToLowerInvariant()}.io.cloud.ovh.net",
            });
    }

    private EmulatorResponse CreateContainer(string region, JsonNode body)
    {
        var name = body["name"]!.GetValue<string>();
        if (name.Length < 3 || name.Length > 63) return Error(400, "Client::BadRequest::InvalidName", $"Invalid container name {name}");
        var versioning = body["versioning"]?["status"]?.GetValue<string>() == "enabled";
        if (!world.S3.CreateBucket(name, versioning)) return Error(409, "Client::Conflict::ContainerAlreadyExists", $"Container {name} already exists");
        return Container(region, name);
    }

    private JsonObject ServiceJson(EmulatedCluster cluster)
    {
        var status = cluster.Status(world.Now) ?? "DELETING";
        var host = Options.Postgres?.Host ?? $"postgresql-{cluster.Id[..8]}-o{cluster.Id[9..13]}.database.cloud.ovh.net";
        var port = Options.Postgres?.Port ?? 20184;
        return new JsonObject
        {
            ["id"] = cluster.Id,
            ["description"] = cluster.Description,
            ["plan"] = cluster.Plan,
            ["version"] = cluster.Version,
            ["flavor"] = cluster.Flavor,
            ["status"] = status,
            ["engine"] = "postgresql",
            ["category"] = "operational",
            ["networkType"] = "public",
            ["nodeNumber"] = cluster.Nodes,
            ["createdAt"] = cluster.CreatedAt.ToString("O", CultureInfo.InvariantCulture),
            ["disk"] = new JsonObject { ["size"] = cluster.DiskSize ?? 80, ["type"] = "ssd" },
            ["maintenanceTime"] = "04:00:00",
            ["backupTime"] = cluster.BackupTime,
            // what OVH answers for a business plan (shared/reference/ovh-openstack.md §2.3: backups{time,regions,retentionDays,pitr})
            ["backups"] = new JsonObject { ["time"] = cluster.BackupTime, ["regions"] = new JsonArray(JsonValue.Create(cluster.Region)), ["retentionDays"] = 7 },
            ["deletionProtection"] = false,
            ["ipRestrictions"] = new JsonArray(cluster.IpRestrictions.Select(r => (JsonNode)new JsonObject
            {
                ["ip"] = r.Ip,
                ["description"] = r.Description ?? "",
                ["status"] = status == "UPDATING" ? "PENDING" : "READY",
            }).ToArray()),
            ["endpoints"] = new JsonArray(new JsonObject
            {
                ["component"] = "postgresql",
                ["domain"] = host,
                ["port"] = port,
                ["scheme"] = "postgresql",
                ["ssl"] = true,
                ["sslMode"] = "require",
                ["uri"] = $"postgresql://avnadmin@{host}:{port}/defaultdb?sslmode=require",
                ["path"] = "/defaultdb",
            }),
            ["nodes"] = new JsonArray(Enumerable.Range(0, cluster.Nodes).Select(i => (JsonNode)new JsonObject
            {
                ["id"] = Guid.NewGuid().ToString(),
                ["flavor"] = cluster.Flavor,
                ["region"] = cluster.Region,
                ["status"] = status == "CREATING" ? "CREATING" : "READY",
                ["name"] = $"postgresql-{cluster.Id[..8]}-{i + 1}",
                ["port"] = port,
                ["createdAt"] = cluster.CreatedAt.ToString("O", CultureInfo.InvariantCulture),
            }).ToArray()),
            ["capabilities"] = new JsonObject(),
        };
    }

    private static JsonObject DatabaseJson(string id, string name) => new() { ["id"] = id, ["name"] = name, ["default"] = name == "defaultdb" };

    private JsonObject UserJson(EmulatedDbUser user, string? password)
    {
        var json = new JsonObject
        {
            ["id"] = user.Id,
            ["username"] = user.Username,
            ["status"] = world.Now < user.ReadyAt ? "CREATING" : "READY",
            ["roles"] = new JsonArray(user.Roles.Select(r => (JsonNode)JsonValue.Create(r)!).ToArray()),
            ["createdAt"] = user.CreatedAt.ToString("O", CultureInfo.InvariantCulture),
        };
        if (password != null) json["password"] = password;
        return json;
    }

    private static EmulatorResponse NotReady(string? status) =>
        Error(409, "Client::Conflict::ServiceNotReady", $"The service is not ready for modifications (status {status})");

    public static EmulatorResponse Error(int status, string errorClass, string message, bool errorCodeStyle = false) =>
        EmulatorResponse.Json(status, errorCodeStyle
                ? new JsonObject { ["errorCode"] = errorClass, ["httpCode"] = $"{status} {(HttpStatusCode)status}", ["message"] = message }
                : new JsonObject { ["class"] = errorClass, ["message"] = message })
            .With("X-Ovh-QueryID", "EU.emulator." + Guid.NewGuid().ToString("N")[..12]);

    private static bool IsCidr(string text) =>
        text.Split('/') is [var address, var bits] && IPAddress.TryParse(address, out var ip) && int.TryParse(bits, out var n) &&
        n >= 0 && n <= (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);

    private static string NewPassword() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', 'x').Replace('/', 'y');

    private const string FakeCa = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUemulatedprojectcaemulatedprojectcaMAoGCCqGSM49BAMC\n-----END CERTIFICATE-----\n";
}
