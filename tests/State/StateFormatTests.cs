using AccoReboot.Infra.Resources;
using AccoReboot.State;

namespace Tests.State;

/// <summary>A state written by the first format (one field per kind) is read as the second (a slice per address).</summary>
[Trait("Category", "Unit")]
public class StateFormatTests
{
    private const string Format1 = """
        {
          "format": 1,
          "environment": "test",
          "serial": 12,
          "securityGroup": { "id": "sg-1", "name": "test-backend-sg" },
          "keypair": { "name": "test-deploy", "fingerprint": "aa:bb" },
          "instance": { "id": "srv-1", "name": "test-backend", "ipv4": "203.0.113.10", "status": "ACTIVE" },
          "dbCluster": { "id": "cl-1", "description": "test-postgresql", "status": "READY", "host": "pg.example", "port": 20184, "caCertificate": "CA" },
          "databases": { "accoreboot": "db-1", "powersync_storage": "db-2" },
          "dbUser": { "id": "u-1", "username": "accoreboot", "sealedPassword": "SEALED" },
          "dbIpRestrictions": [ "203.0.113.10/32" ],
          "hostKey": { "algorithm": "ssh-ed25519", "publicKey": "AAAA", "fingerprint": "SHA256:x", "pinnedAt": "2026-11-01T00:00:00+00:00" },
          "release": { "id": "r1", "image": "registry/api:1", "at": "2026-11-01T00:00:00+00:00", "by": "ci" }
        }
        """;

    [Fact]
    public void Every_slice_moves_to_its_address_and_the_outputs_are_derived()
    {
        var state = StateDocument.Parse(Format1, "state");
        Assert.Equal(StateDocument.CurrentFormat, state.Format);
        Assert.Equal(12, state.Serial);
        Assert.Equal(
            ["database.accoreboot", "database.powersync_storage", "db-cluster.test-postgresql", "db-ip-restriction.test-postgresql", "db-user.accoreboot",
             "instance.test-backend", "keypair.test-deploy", "security-group.test-backend-sg"],
            state.Resources.Keys);
        Assert.Equal("db-2", state.Slice<DatabaseState>("database.powersync_storage")!.Id);
        Assert.Equal(new DbClusterState("cl-1", "test-postgresql", "READY", "pg.example", 20184, "CA"), state.Slice<DbClusterState>("db-cluster.test-postgresql"));
        Assert.Equal(["203.0.113.10/32"], state.Slice<DbIpRestrictionState>("db-ip-restriction.test-postgresql")!.Ips);
        Assert.Equal(new EnvironmentOutputs
        {
            InstanceId = "srv-1", Ipv4 = "203.0.113.10", DatabaseHost = "pg.example", DatabasePort = 20184, DatabaseCa = "CA", DatabaseStatus = "READY",
            DatabaseUser = "accoreboot", SealedDatabasePassword = "SEALED",
        }, state.Outputs);
    }

    [Fact]
    public void The_deploy_facts_belong_to_the_instance_of_that_state()
    {
        var state = StateDocument.Parse(Format1, "state");
        Assert.Equal("SHA256:x", state.HostKeyOf("srv-1")!.Fingerprint);
        Assert.Equal("r1", state.ReleaseOn("srv-1")!.Id);
        Assert.Null(state.HostKeyOf("srv-2"));
    }

    [Fact]
    public void An_upgraded_state_round_trips_in_the_current_format()
    {
        var state = StateDocument.Parse(Format1, "state");
        var again = StateDocument.Parse(state.Serialize(), "state");
        Assert.True(again.SameAs(state));
        Assert.Contains("\"format\": 2", state.Serialize());
        Assert.DoesNotContain("\"dbUser\"", state.Serialize());
    }
}
