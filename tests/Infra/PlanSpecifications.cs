using AccoReboot.Cloud.OpenStack;
using AccoReboot.Cloud.Ovh;
using AccoReboot.Infra;
using AccoReboot.Infra.Resources;

namespace Tests.Infra;

/// <summary>
/// The planner and every resource's diff, without a cloud: a snapshot is built by hand, the plan is read back.
/// One case per rule (create, no-op, in place, replacement and what follows it, destroy, protection).
/// </summary>
[Trait("Category", "Unit")]
public class PlanSpecifications
{
    private static readonly DesiredEnvironment Desired = new("test", "GRA11", "b3-8", "Ubuntu 24.04",
        new DatabaseSpec("17", "essential", "db1-4", "GRA", 1, null, ["accoreboot", "powersync_storage"], "accoreboot", ["replication"]),
        ["198.51.100.0/24"], "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyMaterialForThePlannerSpecs0000000 deploy", "#cloud-config\n", Protected: false,
        ExposedPorts.Of(80, 443, 1883, null, null));

    private sealed record World(EnvironmentResources Resources, LiveSnapshot Live)
    {
        public T R<T>() where T : IResource => Resources.All.OfType<T>().First();
        public World With<TLive>(ILiveOf<TLive> resource, TLive? live) where TLive : class => this with { Live = Live.With(resource, live) };
        public InfraPlan Plan => Resources.Plan("test", Live);
        public ResourceChange Change<T>() where T : IResource => Plan.Changes.Single(c => c.Address == R<T>().Address);
    }

    private static World Empty(DesiredEnvironment? desired = null) => new(new EnvironmentResources(desired ?? Desired), LiveSnapshot.Empty);

    private static readonly InstanceCatalog Catalog = new("flavor-1", "image-1", "net-1", new Dictionary<string, string> { ["flavor-1"] = "b3-8", ["flavor-2"] = "b3-16" });

    private static Server MatchingServer(DesiredEnvironment desired, string status = "ACTIVE") => new("srv-1", desired.InstanceName, status, null, "203.0.113.10", "flavor-1", "image-1",
        desired.KeypairName, new Dictionary<string, string>
        {
            [InstanceResource.ImageName] = desired.Image, [InstanceResource.UserDataSha256] = desired.UserDataSha256, [InstanceResource.SshKeySha256] = desired.SshKeySha256,
        }, [desired.SecurityGroupName]);

    private static DbService MatchingCluster(DesiredEnvironment desired, string ip = "203.0.113.10/32") => new("cl-1", desired.ClusterName, "essential", "17", "db1-4", "READY", 1,
        [new DbEndpoint("postgresql", "pg.example", 20184, "postgresql", true, "require", null)], [new DbIpRestriction(ip)], null, [new DbNode("n1", "db1-4", "GRA", "READY")], null);

    /// <summary>Everything as desired: the plan has no change.</summary>
    private static World Matching(DesiredEnvironment? desired = null)
    {
        desired ??= Desired;
        var world = Empty(desired);
        world = world.With(world.R<SecurityGroupResource>(), new SecurityGroup("sg-1", desired.SecurityGroupName, desired.IngressRules.Select((r, i) => r with { Id = $"rule-{i}" }).ToList()))
            .With(world.R<KeypairResource>(), new Keypair(desired.KeypairName, desired.SshPublicKey, "aa:bb"))
            .With(world.R<InstanceResource>(), new InstanceLive(MatchingServer(desired), Catalog))
            .With(world.R<DbClusterResource>(), new DbClusterLive(MatchingCluster(desired), "CA"))
            .With(world.R<DbUserResource>(), new DbUserLive(new DbUser("u-1", "accoreboot", "READY", ["replication"]), PasswordKnown: true, "SEALED"))
            .With(world.R<DbIpRestrictionResource>(), new DbIpRestrictionLive(["203.0.113.10/32"]));
        foreach (var database in world.Resources.All.OfType<DatabaseResource>())
            world = world.With(database, new DbDatabase("db-" + database.Name, database.Name));
        return world;
    }

    [Fact]
    public void Nothing_live_creates_everything_each_after_what_it_depends_on()
    {
        var plan = Empty().Plan;
        Assert.All(plan.Changes.Take(plan.Changes.Count - 1), c => Assert.Equal(ChangeAction.Create, c.Action));
        // the restriction exists with the cluster: it is an update, to an address not known yet
        var restriction = plan.Changes[^1];
        Assert.Equal((ChangeAction.Update, "(known after apply)/32"), (restriction.Action, restriction.Attributes.Single().After));
        Assert.Equal("Plan: 7 to add, 1 to change, 0 to replace, 0 to destroy.", plan.Summary);
    }

    [Fact]
    public void Every_resource_is_registered_after_its_dependencies()
    {
        var all = new EnvironmentResources(Desired).All;
        for (var i = 0; i < all.Count; i++)
            Assert.All(all[i].DependsOn, dependency => Assert.True(all.ToList().IndexOf(dependency) is var at && at >= 0 && at < i,
                $"{all[i].Address} depends on {dependency.Address}, registered after it"));
        Assert.Equal(all.Count, all.Select(r => r.Address).Distinct().Count());
    }

    [Fact]
    public void Everything_as_desired_is_no_change()
    {
        var plan = Matching().Plan;
        Assert.False(plan.HasChanges, PlanRendering.Text(plan));
    }

    public static TheoryData<string, string, string> InstanceCases => new()
    {
        { "flavor", "b3-16", "flavor" },
        { "image", "Debian 13", "image" },
        { "user data", "#cloud-config\nruncmd: []\n", "user_data (cloud-init)" },
        { "deploy key", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAnotherKeyMaterialForThePlannerSpecs00000 deploy", "deploy key" },
    };

    [Theory, MemberData(nameof(InstanceCases))]
    public void A_boot_time_setting_of_the_instance_replaces_it_and_the_database_follows_its_address(string setting, string value, string attribute)
    {
        var desired = setting switch
        {
            "flavor" => Desired with { Flavor = value },
            "image" => Desired with { Image = value },
            "user data" => Desired with { UserData = value },
            _ => Desired with { SshPublicKey = value },
        };
        // live as the profile was before the change
        var world = Matching() with { Resources = new EnvironmentResources(desired) };
        var instance = world.Change<InstanceResource>();
        Assert.Equal(ChangeAction.Replace, instance.Action);
        Assert.Contains(instance.Attributes, a => a.Name == attribute && a.ForcesReplacement);
        Assert.Contains(instance.Attributes, a => a.Name == "ipv4" && a.Before == "203.0.113.10" && a.After == AttributeChange.KnownAfterApply);
        var restriction = world.Change<DbIpRestrictionResource>();
        Assert.Equal((ChangeAction.Update, "203.0.113.10/32", "(known after apply)/32"), (restriction.Action, restriction.Attributes.Single().Before, restriction.Attributes.Single().After));
        Assert.Equal(ChangeAction.NoOp, world.Change<DbClusterResource>().Action);
    }

    [Fact]
    public void A_new_deploy_key_replaces_the_instance_unless_a_rotation_authorized_it_there_and_then_only_the_keypair_changes()
    {
        const string rotated = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIRotatedKeyMaterialForThePlannerSpecs000000 rotated";
        var desired = Desired with { SshPublicKey = rotated };
        var before = Matching() with { Resources = new EnvironmentResources(desired) };
        var replaced = before.Change<InstanceResource>();
        Assert.Equal(ChangeAction.Replace, replaced.Action);
        Assert.Contains("Rotate --what deploy-key", replaced.Note);

        // Rotate authorized the new key beside the old one on this server and recorded both
        var authorized = new[] { Desired.SshKeySha256, desired.SshKeySha256 };
        var afterRotation = before.With(before.R<InstanceResource>(), new InstanceLive(MatchingServer(Desired), Catalog, authorized));
        Assert.Equal(ChangeAction.NoOp, afterRotation.Change<InstanceResource>().Action);
        var keypair = afterRotation.Change<KeypairResource>();
        Assert.Equal(ChangeAction.Replace, keypair.Action);
        Assert.Equal("Plan: 0 to add, 0 to change, 1 to replace, 0 to destroy.", afterRotation.Plan.Summary);

        // the record holds for the keys it names: the old key, once removed, is no longer the instance's
        var removed = Matching().With(Matching().R<InstanceResource>(), new InstanceLive(MatchingServer(Desired), Catalog, [desired.SshKeySha256]));
        Assert.Equal(ChangeAction.Replace, removed.Change<InstanceResource>().Action);
    }

    [Fact]
    public void The_user_data_is_compared_without_the_deploy_key_and_an_instance_that_recorded_it_with_the_key_still_matches()
    {
        const string other = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOtherKeyMaterialForThePlannerSpecs00000000 other";
        var withKey = Desired with { UserData = $"#cloud-config\nusers:\n  - ssh_authorized_keys: [{Desired.SshPublicKey}]\n" };
        var rotated = withKey with { SshPublicKey = other, UserData = withKey.UserData.Replace(Desired.SshPublicKey, other) };
        Assert.Equal(withKey.UserDataSha256, rotated.UserDataSha256);
        Assert.NotEqual(withKey.UserDataWithKeySha256, rotated.UserDataWithKeySha256);
        Assert.NotEqual(withKey.UserDataSha256, (withKey with { UserData = withKey.UserData + "runcmd: []\n" }).UserDataSha256);

        var world = Matching(withKey);
        var server = MatchingServer(withKey);
        var legacy = server with { Metadata = new Dictionary<string, string>(server.Metadata) { [InstanceResource.UserDataSha256] = withKey.UserDataWithKeySha256 } };
        Assert.Equal(ChangeAction.NoOp, world.With(world.R<InstanceResource>(), new InstanceLive(legacy, Catalog)).Change<InstanceResource>().Action);
    }

    [Fact]
    public void An_instance_still_building_is_waited_for_and_one_in_error_is_replaced_with_its_fault()
    {
        var world = Matching();
        var building = world.With(world.R<InstanceResource>(), new InstanceLive(MatchingServer(Desired, "BUILD"), Catalog));
        Assert.Equal(ChangeAction.Update, building.Change<InstanceResource>().Action);
        var failed = world.With(world.R<InstanceResource>(), new InstanceLive(MatchingServer(Desired, "ERROR") with { FaultMessage = "No valid host" }, Catalog));
        var change = failed.Change<InstanceResource>();
        Assert.Equal((ChangeAction.Replace, "No valid host"), (change.Action, change.Note));
        var stopped = world.With(world.R<InstanceResource>(), new InstanceLive(MatchingServer(Desired, "SHUTOFF"), Catalog));
        Assert.Equal((ChangeAction.NoOp, "stopped (Start starts it)"), (stopped.Change<InstanceResource>().Action, stopped.Change<InstanceResource>().Note));
    }

    public static TheoryData<string, bool> ClusterCases => new()
    {
        { "plan", false },
        { "flavor", false },
        { "nodes", false },
        { "version", false },
        { "region", true },
    };

    [Theory, MemberData(nameof(ClusterCases))]
    public void The_cluster_changes_in_place_except_its_region(string setting, bool replaced)
    {
        var db = Desired.Database;
        var desired = Desired with
        {
            Database = setting switch
            {
                "plan" => db with { Plan = "business" },
                "flavor" => db with { Flavor = "db1-7" },
                "nodes" => db with { Nodes = 2 },
                "version" => db with { Version = "18" },
                _ => db with { Region = "SBG" },
            },
        };
        var world = Matching() with { Resources = new EnvironmentResources(desired) };
        var cluster = world.Change<DbClusterResource>();
        var action = replaced ? ChangeAction.Replace : ChangeAction.Update;
        Assert.Equal(action, cluster.Action);
        // what lives inside a new cluster is created again; inside an updated one it stays
        var inside = action == ChangeAction.Replace ? ChangeAction.Create : ChangeAction.NoOp;
        Assert.All(world.Plan.Changes.Where(c => c.Kind is "database" or "db-user"), c => Assert.Equal(inside, c.Action));
    }

    [Fact]
    public void A_user_whose_password_the_state_lacks_gets_a_new_one()
    {
        var world = Matching();
        world = world.With(world.R<DbUserResource>(), new DbUserLive(new DbUser("u-1", "accoreboot", "READY", null), PasswordKnown: false));
        var change = world.Change<DbUserResource>();
        Assert.Equal((ChangeAction.Update, "(reset, sealed in state)"), (change.Action, change.Attributes.Single().After));
    }

    [Fact]
    public void The_security_group_follows_the_stack_ports_and_removes_rules_made_by_hand()
    {
        var moved = Desired with { Ports = ExposedPorts.Of(8080, 443, 1883, null, dashboard: 18083) };
        var world = Matching() with { Resources = new EnvironmentResources(moved) };
        var change = world.Change<SecurityGroupResource>();
        Assert.Equal(ChangeAction.Update, change.Action);
        var added = change.Attributes.Where(a => a.Before == null).Select(a => a.After).ToList();
        var removed = change.Attributes.Where(a => a.After == null).Select(a => a.Before).ToList();
        Assert.Equal(["ingress IPv4 tcp 18083-18083 from 198.51.100.0/24", "ingress IPv4 tcp 8080-8080 from 0.0.0.0/0", "ingress IPv6 tcp 8080-8080 from ::/0"], added);
        Assert.Equal(["ingress IPv4 tcp 80-80 from 0.0.0.0/0", "ingress IPv6 tcp 80-80 from ::/0"], removed);
        // the dashboard is for the admin networks only
        Assert.DoesNotContain(added, rule => rule!.Contains("18083") && rule.Contains("0.0.0.0/0"));
    }

    [Fact]
    public void A_domain_opens_mqtt_over_tls_to_everyone()
    {
        var withDomain = Desired with { Ports = ExposedPorts.Of(80, 443, 1883, 8883, null) };
        var world = Matching() with { Resources = new EnvironmentResources(withDomain) };
        var change = world.Change<SecurityGroupResource>();
        Assert.Equal(ChangeAction.Update, change.Action);
        Assert.Equal(["ingress IPv4 tcp 8883-8883 from 0.0.0.0/0", "ingress IPv6 tcp 8883-8883 from ::/0"],
            change.Attributes.Where(a => a.Before == null).Select(a => a.After).ToList());
        Assert.DoesNotContain(change.Attributes, a => a.After == null);
    }

    [Fact]
    public void A_new_deploy_key_replaces_the_keypair()
    {
        var world = Matching();
        world = world.With(world.R<KeypairResource>(), new Keypair(Desired.KeypairName, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOldKeyMaterial000000000000000000000000000000 old", null));
        Assert.Equal(ChangeAction.Replace, world.Change<KeypairResource>().Action);
        // Nova dropping the comment is not a change
        var commentless = Matching();
        commentless = commentless.With(commentless.R<KeypairResource>(), new Keypair(Desired.KeypairName, string.Join(' ', Desired.SshPublicKey.Split(' ').Take(2)), null));
        Assert.Equal(ChangeAction.NoOp, commentless.Change<KeypairResource>().Action);
    }

    [Fact]
    public void The_domains_record_points_at_the_instance_and_follows_a_replacement()
    {
        var named = Desired with { Dns = DnsName.Of("api.accoreboot.example", null) };
        var world = Matching(named);
        var dns = world.R<DnsRecordResource>();
        Assert.Equal(("accoreboot.example", "api"), (named.Dns!.Zone, named.Dns.SubDomain));
        var create = world.Change<DnsRecordResource>();
        Assert.Equal((ChangeAction.Create, "203.0.113.10"), (create.Action, create.Attributes[0].After));

        var same = world.With(dns, new DnsRecord(7, "accoreboot.example", "A", "api", "203.0.113.10", DnsRecordResource.Ttl));
        Assert.Equal(ChangeAction.NoOp, same.Change<DnsRecordResource>().Action);
        var longTtl = world.With(dns, new DnsRecord(7, "accoreboot.example", "A", "api", "203.0.113.10", 3600));
        Assert.Equal(("ttl", "3600", "300"), (longTtl.Change<DnsRecordResource>().Attributes.Single().Name, longTtl.Change<DnsRecordResource>().Attributes.Single().Before, longTtl.Change<DnsRecordResource>().Attributes.Single().After));

        // the instance is replaced (new flavor): its new address is not known yet
        var replaced = same with { Resources = new EnvironmentResources(named with { Flavor = "b3-16" }) };
        var moved = replaced.Change<DnsRecordResource>();
        Assert.Equal((ChangeAction.Update, "203.0.113.10", AttributeChange.KnownAfterApply), (moved.Action, moved.Attributes.Single().Before, moved.Attributes.Single().After));

        Assert.Equal(ChangeAction.Delete, same.Resources.DestroyPlan("test", same.Live, destroyData: false).Changes.Single(c => c.Kind == "dns-record").Action);
        Assert.DoesNotContain(Empty().Plan.Changes, c => c.Kind == "dns-record");
    }

    [Theory]
    [InlineData("accoreboot.example", null, "accoreboot.example", "")]
    [InlineData("API.accoreboot.example.", null, "accoreboot.example", "api")]
    [InlineData("api.eu.accoreboot.co.uk", "accoreboot.co.uk", "accoreboot.co.uk", "api.eu")]
    public void A_domain_is_split_into_its_zone_and_sub_domain(string domain, string? zone, string expectedZone, string subDomain)
    {
        var name = DnsName.Of(domain, zone);
        Assert.Equal((expectedZone, subDomain), (name.Zone, name.SubDomain));
    }

    [Fact]
    public void Down_goes_in_reverse_and_keeps_a_protected_database_unless_asked()
    {
        var world = Matching(Desired with { Protected = true });
        var kept = world.Resources.DestroyPlan("test", world.Live, destroyData: false);
        Assert.Equal(world.Resources.All.Reverse().Select(r => r.Address), kept.Changes.Select(c => c.Address));
        Assert.Equal(ChangeAction.Keep, kept.Changes.Single(c => c.Kind == "db-cluster").Action);
        Assert.Equal(["instance", "keypair", "security-group"], kept.Changes.Where(c => c.Action == ChangeAction.Delete).Select(c => c.Kind));
        var destroyed = world.Resources.DestroyPlan("test", world.Live, destroyData: true);
        Assert.Equal(ChangeAction.Delete, destroyed.Changes.Single(c => c.Kind == "db-cluster").Action);
        // what lives inside the cluster goes with it
        Assert.All(destroyed.Changes.Where(c => c.Kind is "database" or "db-user" or "db-ip-restriction"), c => Assert.Equal(ChangeAction.NoOp, c.Action));
        Assert.False(world.Resources.DestroyPlan("test", LiveSnapshot.Empty, destroyData: true).HasChanges);
    }
}
