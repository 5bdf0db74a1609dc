using System.Globalization;
using System.Text.Json.Nodes;

namespace AccoReboot.Sandbox.Emulator;

/// <summary>
/// Keystone, Nova, Neutron and Glance as far as the build uses them. Tokens expire, unknown flavors, images,
/// keypairs and security groups are refused as Nova refuses them, a security group in use cannot be deleted,
/// and servers go BUILD → ACTIVE, ACTIVE ⇄ SHUTOFF with delays.
/// </summary>
sealed class OpenStackHandler(EmulatorWorld world, Func<string> baseUrl)
{
    private EmulatorOptions Options => world.Options;
    private static readonly string UserId = Guid.NewGuid().ToString();

    public EmulatorResponse Identity(EmulatorRequest request)
    {
        if (request.Method != "POST" || request.Path != "/v3/auth/tokens") return Fault(404, "itemNotFound", "not found");
        var body = request.Json!;
        var user = body["auth"]?["identity"]?["password"]?["user"];
        var project = body["auth"]?["scope"]?["project"]?["id"]?.GetValue<string>();
        if (user?["name"]?.GetValue<string>() != Options.OpenStackUsername || user["password"]?.GetValue<string>() != Options.OpenStackPassword)
            return EmulatorResponse.Json(401, new JsonObject { ["error"] = new JsonObject { ["code"] = 401, ["title"] = "Unauthorized", ["message"] = "The request you have made requires authentication." } });
        if (project != Options.ProjectId)
            return EmulatorResponse.Json(401, new JsonObject { ["error"] = new JsonObject { ["code"] = 401, ["title"] = "Unauthorized", ["message"] = $"User has no access to project {project}" } });
        var token = "gAAAA" + Guid.NewGuid().ToString();
        var expires = world.Now + Options.TokenLifetime;
        lock (world.Gate) world.Tokens[token] = expires.ToString("O", CultureInfo.InvariantCulture);
        var catalog = new JsonArray();
        foreach (var (type, name, path) in new[] { ("compute", "nova", "compute/{0}/v2.1"), ("network", "neutron", "network/{0}"), ("image", "glance", "image/{0}") })
            catalog.Add(new JsonObject
            {
                ["type"] = type,
                ["name"] = name,
                ["id"] = Guid.NewGuid().ToString(),
                ["endpoints"] = new JsonArray(Options.Regions.Select(r => (JsonNode)new JsonObject
                {
                    ["id"] = Guid.NewGuid().ToString(),
                    ["interface"] = "public",
                    ["region"] = r,
                    ["region_id"] = r,
                    ["url"] = baseUrl() + string.Format(CultureInfo.InvariantCulture, path, r),
                }).ToArray()),
            });
        var response = new JsonObject
        {
            ["token"] = new JsonObject
            {
                ["methods"] = new JsonArray("password"),
                ["expires_at"] = expires.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
                ["issued_at"] = world.Now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
                ["user"] = new JsonObject { ["id"] = UserId, ["name"] = Options.OpenStackUsername, ["domain"] = new JsonObject { ["id"] = "default", ["name"] = "Default" } },
                ["project"] = new JsonObject { ["id"] = Options.ProjectId, ["name"] = "1234567890123456", ["domain"] = new JsonObject { ["id"] = "default", ["name"] = "Default" } },
                ["catalog"] = catalog,
                ["roles"] = new JsonArray(new JsonObject { ["id"] = Guid.NewGuid().ToString(), ["name"] = "member" }),
            },
        };
        return EmulatorResponse.Json(201, response).With("X-Subject-Token", token);
    }

    /// <summary>Null when the token is valid; a 401 otherwise.</summary>
    public EmulatorResponse? Authorize(EmulatorRequest request)
    {
        var token = request.Header("X-Auth-Token");
        lock (world.Gate)
        {
            if (token != null && world.Tokens.TryGetValue(token, out var expiry) &&
                DateTimeOffset.Parse(expiry, CultureInfo.InvariantCulture) > world.Now)
                return null;
        }
        return EmulatorResponse.Json(401, new JsonObject { ["error"] = new JsonObject { ["code"] = 401, ["title"] = "Unauthorized", ["message"] = "The request you have made requires authentication." } });
    }

    public void RevokeAllTokens()
    {
        lock (world.Gate) world.Tokens.Clear();
    }

    public EmulatorResponse Compute(EmulatorRequest request)
    {
        var region = request.Region;
        lock (world.Gate)
        {
            return (request.Method, request.Segments) switch
            {
                ("GET", ["v2.1", "flavors", "detail"]) => EmulatorResponse.Json(200, new JsonObject
                {
                    ["flavors"] = new JsonArray(world.Flavors.Select(f => (JsonNode)new JsonObject
                    {
                        ["id"] = f.Id, ["name"] = f.Name, ["vcpus"] = f.Vcpus, ["ram"] = f.Ram, ["disk"] = f.Disk,
                        ["OS-FLV-EXT-DATA:ephemeral"] = 0, ["swap"] = 0, ["rxtx_factor"] = 1.0, ["os-flavor-access:is_public"] = true,
                        ["links"] = new JsonArray(),
                    }).ToArray()),
                }),
                ("GET", ["v2.1", "os-keypairs", var name]) => world.Keypairs.TryGetValue((region, name), out var keypair)
                    ? EmulatorResponse.Json(200, new JsonObject { ["keypair"] = KeypairJson(keypair, full: true) })
                    : Fault(404, "itemNotFound", $"Keypair {name} not found for user u{Options.OpenStackUsername}"),
                ("GET", ["v2.1", "os-keypairs"]) => EmulatorResponse.Json(200, new JsonObject
                {
                    ["keypairs"] = new JsonArray(world.Keypairs.Values.Where(k => k.Region == region)
                        .Select(k => (JsonNode)new JsonObject { ["keypair"] = KeypairJson(k, full: false) }).ToArray()),
                }),
                ("POST", ["v2.1", "os-keypairs"]) => CreateKeypair(region, request.Json!),
                ("DELETE", ["v2.1", "os-keypairs", var name]) => world.Keypairs.Remove((region, name))
                    ? EmulatorResponse.Empty(202)
                    : Fault(404, "itemNotFound", $"Keypair {name} not found"),
                ("GET", ["v2.1", "servers", "detail"]) => ListServers(region, request.Query),
                ("GET", ["v2.1", "servers", var id]) => FindServer(region, id) is { } server
                    ? EmulatorResponse.Json(200, new JsonObject { ["server"] = ServerJson(server) })
                    : Fault(404, "itemNotFound", $"Instance {id} could not be found."),
                ("POST", ["v2.1", "servers"]) => CreateServer(region, request.Json!),
                ("DELETE", ["v2.1", "servers", var id]) => DeleteServer(region, id),
                ("POST", ["v2.1", "servers", var id, "action"]) => ServerAction(region, id, request.Json!),
                _ => Fault(404, "itemNotFound", $"{request.Method} {request.Path} is not emulated"),
            };
        }
    }

    private EmulatorResponse CreateKeypair(string region, JsonNode body)
    {
        var name = body["keypair"]!["name"]!.GetValue<string>();
        var publicKey = body["keypair"]!["public_key"]?.GetValue<string>();
        if (publicKey == null) return Fault(400, "badRequest", "Keypair generation is not supported by the emulator: send public_key.");
        if (world.Keypairs.ContainsKey((region, name))) return Fault(409, "conflictingRequest", $"Key pair '{name}' already exists.");
        string fingerprint;
        try
        {
            fingerprint = EmulatorWorld.Fingerprint(publicKey);
        }
        catch (FormatException)
        {
            return Fault(400, "badRequest", "Keypair data is invalid: failed to generate fingerprint");
        }
        var keypair = new EmulatedKeypair(name, region, publicKey, fingerprint, world.Now);
        world.Keypairs[(region, name)] = keypair;
        world.Timeline.Add(new TimelineEntry("keypair", name, keypair.CreatedAt, world.Now, []));
        return EmulatorResponse.Json(200, new JsonObject { ["keypair"] = KeypairJson(keypair, full: true) });
    }

    private static JsonObject KeypairJson(EmulatedKeypair keypair, bool full)
    {
        var json = new JsonObject { ["name"] = keypair.Name, ["public_key"] = keypair.PublicKey, ["fingerprint"] = keypair.Fingerprint };
        if (full)
        {
            json["user_id"] = "u-sandbox";
            json["created_at"] = keypair.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
            json["deleted"] = false;
            json["id"] = 1;
        }
        return json;
    }

    private EmulatorResponse ListServers(string region, IReadOnlyDictionary<string, string> query)
    {
        var servers = world.Servers.Values.Where(s => s.Region == region && s.Status(world.Now) != null);
        if (query.TryGetValue("name", out var pattern))
        {
            // Nova's name filter is a regular expression
            var regex = new System.Text.RegularExpressions.Regex(pattern);
            servers = servers.Where(s => regex.IsMatch(s.Name));
        }
        return EmulatorResponse.Json(200, new JsonObject { ["servers"] = new JsonArray(servers.OrderBy(s => s.CreatedAt).Select(s => (JsonNode)ServerJson(s)).ToArray()) });
    }

    private EmulatedServer? FindServer(string region, string id) =>
        world.Servers.TryGetValue(id, out var server) && server.Region == region && server.Status(world.Now) != null ? server : null;

    private EmulatorResponse CreateServer(string region, JsonNode body)
    {
        var server = body["server"]!;
        var flavorRef = server["flavorRef"]!.ToString();
        var flavor = world.Flavors.FirstOrDefault(f => f.Id == flavorRef || f.Name == flavorRef);
        if (flavor == null) return Fault(400, "badRequest", $"Flavor {flavorRef} could not be found.");
        var imageRef = server["imageRef"]?.GetValue<string>() ?? "";
        var image = world.Images.FirstOrDefault(i => i.Id == imageRef);
        if (image == null) return Fault(400, "badRequest", $"Image {imageRef} could not be found.");
        if (image.Status != "active") return Fault(400, "badRequest", $"Image {imageRef} is not active.");
        var networks = server["networks"]?.AsArray().Select(n => n!["uuid"]?.GetValue<string>()).ToList() ?? [];
        if (networks.Any(n => n != world.ExternalNetworks[region])) return Fault(400, "badRequest", "Network could not be found.");
        var keyName = server["key_name"]?.GetValue<string>() ?? "";
        if (!world.Keypairs.ContainsKey((region, keyName))) return Fault(400, "badRequest", "Invalid key_name provided.");
        var groups = server["security_groups"]?.AsArray().Select(g => g!["name"]!.GetValue<string>()).ToList() ?? ["default"];
        foreach (var group in groups)
        {
            var matches = world.SecurityGroups.Values.Count(g => g.Region == region && (g.Name == group || g.Id == group));
            if (matches == 0) return Fault(400, "badRequest", $"Security group {group} not found for project {Options.ProjectId}.");
            if (matches > 1) return Fault(409, "conflictingRequest", $"Multiple security groups named {group}: use its id.");
        }
        if (world.Servers.Values.Count(s => s.Status(world.Now) != null) >= Options.InstanceQuota)
            return Fault(403, "forbidden", $"Quota exceeded for instances: Requested 1, but already used {Options.InstanceQuota} of {Options.InstanceQuota} instances");
        var userData = server["user_data"]?.GetValue<string>() ?? "";
        try
        {
            _ = Convert.FromBase64String(userData);
        }
        catch (FormatException)
        {
            return Fault(400, "badRequest", "User data needs to be valid base 64.");
        }
        var metadata = server["metadata"] is JsonObject m ? m.ToDictionary(p => p.Key, p => p.Value!.GetValue<string>()) : new Dictionary<string, string>();
        var now = world.Now;
        var created = new EmulatedServer
        {
            Id = Guid.NewGuid().ToString(),
            Name = server["name"]!.GetValue<string>(),
            Region = region,
            FlavorId = flavor.Id,
            ImageId = image.Id,
            KeyName = keyName,
            SecurityGroups = groups,
            Metadata = metadata,
            UserData = userData,
            Ipv4 = Options.InstanceAddress(world.ServersCreated++),
            CreatedAt = now,
            ActiveAt = now + Options.ServerBuildDelay,
        };
        world.Servers[created.Id] = created;
        Options.ServerCreated?.Invoke(created.Name, world.Keypairs[(region, keyName)].PublicKey);
        world.Timeline.Add(new TimelineEntry("server", created.Name, now, created.ActiveAt, ["security-group", "keypair"]));
        return EmulatorResponse.Json(202, new JsonObject
        {
            ["server"] = new JsonObject
            {
                ["id"] = created.Id,
                ["links"] = Links("servers", created.Id),
                ["OS-DCF:diskConfig"] = "MANUAL",
                ["security_groups"] = new JsonArray(groups.Select(g => (JsonNode)new JsonObject { ["name"] = g }).ToArray()),
                ["adminPass"] = "emulated-admin-password",
            },
        });
    }

    private EmulatorResponse DeleteServer(string region, string id)
    {
        var server = FindServer(region, id);
        if (server == null) return Fault(404, "itemNotFound", $"Instance {id} could not be found.");
        if (server.DeletedAt == null) Options.ServerDeleted?.Invoke(server.Name);
        server.DeletedAt ??= world.Now + Options.ServerDeleteDelay;
        return EmulatorResponse.Empty(204);
    }

    private EmulatorResponse ServerAction(string region, string id, JsonNode body)
    {
        var server = FindServer(region, id);
        if (server == null) return Fault(404, "itemNotFound", $"Instance {id} could not be found.");
        var action = body.AsObject().First().Key;
        var status = server.Status(world.Now);
        switch (action)
        {
            case "os-stop":
                if (status != "ACTIVE" && status != "ERROR") return Fault(409, "conflictingRequest", $"Cannot 'stop' instance {id} while it is in vm_state {status?.ToLowerInvariant()}");
                server.PoweredOff = true;
                server.PowerChangeAt = world.Now + Options.ServerPowerDelay;
                return EmulatorResponse.Empty(202);
            case "os-start":
                if (status != "SHUTOFF") return Fault(409, "conflictingRequest", $"Cannot 'start' instance {id} while it is in vm_state {status?.ToLowerInvariant()}");
                server.PoweredOff = false;
                server.PowerChangeAt = world.Now + Options.ServerPowerDelay;
                return EmulatorResponse.Empty(202);
            case "reboot":
                // compute API: a HARD reboot from ACTIVE, SHUTOFF or ERROR; SOFT from ACTIVE only
                var hard = body["reboot"]?["type"]?.GetValue<string>() == "HARD";
                if (!(status == "ACTIVE" || (hard && status is "SHUTOFF" or "ERROR")))
                    return Fault(409, "conflictingRequest", $"Cannot 'reboot' instance {id} while it is in vm_state {status?.ToLowerInvariant()}");
                server.PoweredOff = false;
                server.RebootedAt = world.Now + Options.ServerPowerDelay;
                Options.ServerRebooted?.Invoke(server.Name);
                return EmulatorResponse.Empty(202);
            case "os-getConsoleOutput":
                var output = status == "BUILD" ? "" : Options.ConsoleOutput(server.Name);
                return EmulatorResponse.Json(200, new JsonObject { ["output"] = output });
            default:
                return Fault(400, "badRequest", $"Action {action} is not emulated.");
        }
    }

    private JsonObject ServerJson(EmulatedServer server)
    {
        var status = server.Status(world.Now)!;
        var flavor = world.Flavors.First(f => f.Id == server.FlavorId);
        var json = new JsonObject
        {
            ["id"] = server.Id,
            ["name"] = server.Name,
            ["status"] = status,
            ["user_id"] = UserId,
            ["created"] = server.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["updated"] = world.Now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["hostId"] = "emulated",
            ["key_name"] = server.KeyName,
            ["flavor"] = new JsonObject { ["id"] = flavor.Id, ["links"] = Links("flavors", flavor.Id) },
            ["image"] = new JsonObject { ["id"] = server.ImageId, ["links"] = Links("images", server.ImageId) },
            ["metadata"] = new JsonObject(server.Metadata.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value)))),
            ["security_groups"] = new JsonArray(server.SecurityGroups.Select(g => (JsonNode)new JsonObject { ["name"] = g }).ToArray()),
            ["links"] = Links("servers", server.Id),
            ["addresses"] = status == "BUILD" ? new JsonObject() : new JsonObject
            {
                ["Ext-Net"] = new JsonArray(
                    new JsonObject { ["addr"] = server.Ipv4, ["version"] = 4, ["OS-EXT-IPS:type"] = "fixed", ["OS-EXT-IPS-MAC:mac_addr"] = "fa:16:3e:00:00:01" },
                    new JsonObject { ["addr"] = "2001:db8::" + (world.Servers.Keys.ToList().IndexOf(server.Id) + 1), ["version"] = 6, ["OS-EXT-IPS:type"] = "fixed", ["OS-EXT-IPS-MAC:mac_addr"] = "fa:16:3e:00:00:01" }),
            },
            ["OS-EXT-STS:vm_state"] = status.ToLowerInvariant() switch { "build" => "building", "shutoff" => "stopped", var other => other },
            ["OS-EXT-STS:power_state"] = status == "ACTIVE" ? 1 : 4,
            ["config_drive"] = "True",
            ["progress"] = status == "BUILD" ? 50 : 100,
        };
        if (server.DeletedAt != null) json["OS-EXT-STS:task_state"] = "deleting";
        if (server.Fault != null)
            json["fault"] = new JsonObject { ["code"] = 500, ["message"] = server.Fault, ["created"] = world.Now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) };
        return json;
    }

    private JsonArray Links(string kind, string id) => new(new JsonObject { ["rel"] = "self", ["href"] = $"{baseUrl()}compute/{kind}/{id}" });

    public EmulatorResponse Network(EmulatorRequest request)
    {
        var region = request.Region;
        lock (world.Gate)
        {
            return (request.Method, request.Segments) switch
            {
                ("GET", ["v2.0", "networks"]) => EmulatorResponse.Json(200, new JsonObject
                {
                    ["networks"] = new JsonArray(new[] { ("Ext-Net", world.ExternalNetworks[region]) }
                        .Where(n => !request.Query.TryGetValue("name", out var name) || name == n.Item1)
                        .Select(n => (JsonNode)new JsonObject
                        {
                            ["id"] = n.Item2, ["name"] = n.Item1, ["router:external"] = true, ["status"] = "ACTIVE",
                            ["admin_state_up"] = true, ["shared"] = true, ["subnets"] = new JsonArray(), ["tenant_id"] = "ovh", ["project_id"] = "ovh",
                        }).ToArray()),
                }),
                ("GET", ["v2.0", "security-groups"]) => EmulatorResponse.Json(200, new JsonObject
                {
                    ["security_groups"] = new JsonArray(world.SecurityGroups.Values
                        .Where(g => g.Region == region && (!request.Query.TryGetValue("name", out var name) || name == g.Name))
                        .Select(g => (JsonNode)GroupJson(g)).ToArray()),
                }),
                ("GET", ["v2.0", "security-groups", var id]) => world.SecurityGroups.TryGetValue(id, out var group) && group.Region == region
                    ? EmulatorResponse.Json(200, new JsonObject { ["security_group"] = GroupJson(group) })
                    : NeutronFault(404, "SecurityGroupNotFound", $"Security group {id} does not exist"),
                ("POST", ["v2.0", "security-groups"]) => CreateGroup(region, request.Json!),
                ("DELETE", ["v2.0", "security-groups", var id]) => DeleteGroup(region, id),
                ("POST", ["v2.0", "security-group-rules"]) => CreateRule(request.Json!),
                ("DELETE", ["v2.0", "security-group-rules", var id]) => DeleteRule(id),
                _ => NeutronFault(404, "HTTPNotFound", $"{request.Method} {request.Path} is not emulated"),
            };
        }
    }

    private EmulatorResponse CreateGroup(string region, JsonNode body)
    {
        var group = new EmulatedSecurityGroup
        {
            Id = Guid.NewGuid().ToString(),
            Name = body["security_group"]!["name"]?.GetValue<string>() ?? "",
            Description = body["security_group"]!["description"]?.GetValue<string>() ?? "",
            Region = region,
        };
        foreach (var ethertype in new[] { "IPv4", "IPv6" })
            group.Rules.Add(new EmulatedRule(Guid.NewGuid().ToString(), group.Id, "egress", ethertype, null, null, null, null));
        world.SecurityGroups[group.Id] = group;
        world.Timeline.Add(new TimelineEntry("security-group", group.Name, world.Now, world.Now, []));
        return EmulatorResponse.Json(201, new JsonObject { ["security_group"] = GroupJson(group) });
    }

    private EmulatorResponse DeleteGroup(string region, string id)
    {
        if (!world.SecurityGroups.TryGetValue(id, out var group) || group.Region != region)
            return NeutronFault(404, "SecurityGroupNotFound", $"Security group {id} does not exist");
        if (world.Servers.Values.Any(s => s.Region == region && s.Status(world.Now) != null && s.SecurityGroups.Contains(group.Name)))
            return NeutronFault(409, "SecurityGroupInUse", $"Security Group {id} in use.");
        world.SecurityGroups.Remove(id);
        return EmulatorResponse.Empty(204);
    }

    private EmulatorResponse CreateRule(JsonNode body)
    {
        var rule = body["security_group_rule"]!;
        var groupId = rule["security_group_id"]?.GetValue<string>() ?? "";
        if (!world.SecurityGroups.TryGetValue(groupId, out var group)) return NeutronFault(404, "SecurityGroupNotFound", $"Security group {groupId} does not exist");
        var created = new EmulatedRule(Guid.NewGuid().ToString(), groupId,
            rule["direction"]?.GetValue<string>() ?? "ingress", rule["ethertype"]?.GetValue<string>() ?? "IPv4", rule["protocol"]?.GetValue<string>(),
            Port(rule["port_range_min"]), Port(rule["port_range_max"]), rule["remote_ip_prefix"]?.GetValue<string>());
        if (group.Rules.Any(r => r with { Id = created.Id } == created))
            return NeutronFault(409, "SecurityGroupRuleExists", "Security group rule already exists.");
        group.Rules.Add(created);
        return EmulatorResponse.Json(201, new JsonObject { ["security_group_rule"] = RuleJson(created) });
    }

    // Neutron takes a port as a number or as a numeric string
    private static int? Port(JsonNode? node) => node == null ? null : int.Parse(node.ToString(), CultureInfo.InvariantCulture);

    private EmulatorResponse DeleteRule(string id)
    {
        foreach (var group in world.SecurityGroups.Values)
            if (group.Rules.RemoveAll(r => r.Id == id) > 0) return EmulatorResponse.Empty(204);
        return NeutronFault(404, "SecurityGroupRuleNotFound", $"Security group rule {id} does not exist");
    }

    private JsonObject GroupJson(EmulatedSecurityGroup group) => new()
    {
        ["id"] = group.Id,
        ["name"] = group.Name,
        ["description"] = group.Description,
        ["tenant_id"] = Options.ProjectId,
        ["project_id"] = Options.ProjectId,
        ["security_group_rules"] = new JsonArray(group.Rules.Select(r => (JsonNode)RuleJson(r)).ToArray()),
        ["stateful"] = true,
        ["revision_number"] = 1,
    };

    private JsonObject RuleJson(EmulatedRule rule) => new()
    {
        ["id"] = rule.Id,
        ["security_group_id"] = rule.GroupId,
        ["direction"] = rule.Direction,
        ["ethertype"] = rule.Ethertype,
        ["protocol"] = rule.Protocol,
        ["port_range_min"] = rule.PortMin,
        ["port_range_max"] = rule.PortMax,
        ["remote_ip_prefix"] = rule.RemoteIpPrefix,
        ["tenant_id"] = Options.ProjectId,
        ["project_id"] = Options.ProjectId,
        ["description"] = "",
        ["revision_number"] = 0,
    };

    public EmulatorResponse Image(EmulatorRequest request)
    {
        if (request.Method != "GET" || request.Path != "/v2/images") return Fault(404, "itemNotFound", "not emulated");
        IEnumerable<EmulatedImage> images = world.Images;
        if (request.Query.TryGetValue("name", out var name)) images = images.Where(i => i.Name == name);
        if (request.Query.TryGetValue("status", out var status)) images = images.Where(i => i.Status == status);
        images = request.Query.GetValueOrDefault("sort") == "created_at:desc" ? images.OrderByDescending(i => i.CreatedAt) : images.OrderBy(i => i.CreatedAt);
        return EmulatorResponse.Json(200, new JsonObject
        {
            ["images"] = new JsonArray(images.Select(i => (JsonNode)new JsonObject
            {
                ["id"] = i.Id, ["name"] = i.Name, ["status"] = i.Status, ["visibility"] = "public",
                ["created_at"] = i.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                ["updated_at"] = i.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                ["disk_format"] = "qcow2", ["container_format"] = "bare", ["min_disk"] = 0, ["min_ram"] = 0, ["protected"] = false,
                ["self"] = $"/v2/images/{i.Id}", ["file"] = $"/v2/images/{i.Id}/file", ["schema"] = "/v2/schemas/image", ["tags"] = new JsonArray(),
            }).ToArray()),
            ["first"] = "/v2/images",
            ["schema"] = "/v2/schemas/images",
        });
    }

    public static EmulatorResponse Fault(int status, string kind, string message) =>
        EmulatorResponse.Json(status, new JsonObject { [kind] = new JsonObject { ["code"] = status, ["message"] = message } });

    private static EmulatorResponse NeutronFault(int status, string type, string message) =>
        EmulatorResponse.Json(status, new JsonObject { ["NeutronError"] = new JsonObject { ["type"] = type, ["message"] = message, ["detail"] = "" } });
}
