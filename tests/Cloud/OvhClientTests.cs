using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using AccoReboot.Cloud.Ovh;
using AccoReboot.Sandbox.Emulator;
using BuildEngine;
using Tests.Support;

namespace Tests.Cloud;

public class OvhClientTests
{
    [Fact, Trait("Category", "Unit")]
    public void Signatures_match_the_reference_vectors()
    {
        using var vectors = JsonDocument.Parse(TestVectors.Ovh("signatures.json"));
        var root = vectors.RootElement;
        var cases = root.GetProperty("cases").EnumerateArray().ToList();
        Assert.Equal(7, cases.Count);
        foreach (var c in cases)
            Assert.Equal(c.GetProperty("signature").GetString(), OvhSignature.Compute(
                root.GetProperty("applicationSecret").GetString()!, root.GetProperty("consumerKey").GetString()!,
                c.GetProperty("method").GetString()!, c.GetProperty("target").GetString()!, c.GetProperty("body").GetString()!,
                root.GetProperty("timestamp").GetInt64()));
    }

    [Fact, Trait("Category", "Unit")]
    public void Endpoints_resolve_by_name_or_url_and_unknown_names_are_refused()
    {
        Assert.Equal("https://eu.api.ovh.com/1.0/", OvhEndpoints.Resolve("ovh-eu").AbsoluteUri);
        Assert.Equal("https://api.us.ovhcloud.com/1.0/", OvhEndpoints.Resolve("ovh-us").AbsoluteUri);
        Assert.Contains("use one of ovh-eu, ovh-ca, ovh-us", Assert.Throws<BuildFailure>(() => OvhEndpoints.Resolve("ovh-moon")).Message);
    }

    [Fact, Trait("Category", "Integration")]
    public async Task A_cluster_goes_from_creating_to_ready_and_takes_databases_and_users()
    {
        await using var emulator = await Emulator.StartAsync(new EmulatorOptions { DatabaseCreateDelay = TimeSpan.FromMilliseconds(300) });
        var api = emulator.OvhApi();
        var created = await api.CreateClusterAsync(new DbServiceCreation("test-postgresql", "essential", "17", new DbNodePattern("db1-4", 1, "GRA")), default);
        Assert.Equal("CREATING", created.Status);
        var conflict = await Assert.ThrowsAsync<OvhApiException>(() => api.CreateDatabaseAsync(created.Id, "accoreboot", default));
        Assert.Equal(HttpStatusCode.Conflict, conflict.Status);
        Assert.Equal("Client::Conflict::ServiceNotReady", conflict.ErrorClass);
        Assert.NotNull(conflict.QueryId);
        await Task.Delay(400);
        Assert.Equal("READY", (await api.ClusterAsync(created.Id, default)).Status);
        var database = await api.CreateDatabaseAsync(created.Id, "accoreboot", default);
        var user = await api.CreateUserAsync(created.Id, new DbUserCreation("accoreboot", ["replication"]), default);
        Assert.NotEmpty(user.Password);
        Assert.DoesNotContain(user.Password, user.ToString());
        Assert.Equal("accoreboot", (await api.DatabaseAsync(created.Id, database.Id!, default)).Name);
        Assert.Contains(user.Id, await api.UserIdsAsync(created.Id, default));
        Assert.True(emulator.Cloud.Violations.Count == 0, string.Join("\n", emulator.Cloud.Violations));
    }

    [Fact, Trait("Category", "Integration")]
    public async Task The_clock_offset_comes_from_auth_time()
    {
        await using var emulator = await Emulator.StartAsync(new EmulatorOptions { OvhClockSkew = TimeSpan.FromMinutes(-9) });
        Assert.Empty(await emulator.OvhApi().ClusterIdsAsync(default));
        Assert.Single(emulator.Cloud.Requests, r => r.Path == "/auth/time");
    }

    [Fact, Trait("Category", "Integration")]
    public async Task An_expired_consumer_key_is_one_clear_line_with_the_query_id()
    {
        await using var emulator = await Emulator.StartAsync();
        var api = emulator.OvhApi(new OvhCredentials(emulator.Options.ApplicationKey, emulator.Options.ApplicationSecret, "expired-key"));
        var failure = await Assert.ThrowsAsync<OvhApiException>(() => api.ClusterIdsAsync(default));
        Assert.Equal(HttpStatusCode.Forbidden, failure.Status);
        Assert.Contains("INVALID_CREDENTIAL: This credential is not valid. The consumer key is expired or not validated", failure.Message);
        Assert.Contains("(query id EU.emulator.", failure.Message);
        Assert.DoesNotContain('\n', failure.Message);
    }

    [Fact, Trait("Category", "Integration")]
    public async Task A_wrong_secret_fails_the_signature()
    {
        await using var emulator = await Emulator.StartAsync();
        var api = emulator.OvhApi(new OvhCredentials(emulator.Options.ApplicationKey, "wrong-secret", emulator.Options.ConsumerKey));
        var failure = await Assert.ThrowsAsync<OvhApiException>(() => api.ClusterIdsAsync(default));
        Assert.Equal("INVALID_SIGNATURE", failure.ErrorClass);
    }

    [Fact, Trait("Category", "Integration")]
    public async Task Rate_limits_and_server_errors_on_reads_are_retried()
    {
        await using var emulator = await Emulator.StartAsync();
        emulator.Cloud.Inject(new Fault(FaultKind.TooManyRequests, "GET", "/database/postgresql$", times: 2));
        emulator.Cloud.Inject(new Fault(FaultKind.ServerError, "GET", "/database/postgresql$", times: 1));
        Assert.Empty(await emulator.OvhApi().ClusterIdsAsync(default));
        Assert.Equal(4, emulator.Cloud.Requests.Count(r => r.Path.EndsWith("/database/postgresql")));
    }

    [Fact, Trait("Category", "Integration")]
    public async Task A_create_answered_500_is_not_posted_twice()
    {
        await using var emulator = await Emulator.StartAsync();
        emulator.Cloud.Inject(new Fault(FaultKind.ServerErrorAfterWork, "POST", "/database/postgresql$"));
        var api = emulator.OvhApi();
        var failure = await Assert.ThrowsAsync<OvhApiException>(() =>
            api.CreateClusterAsync(new DbServiceCreation("dup-check", "essential", "17", new DbNodePattern("db1-4", 1, "GRA")), default));
        Assert.True(failure.IsServerError);
        Assert.Single(await api.ClusterIdsAsync(default));
        Assert.Single(emulator.Cloud.Requests, r => r.Method == "POST");
    }

    [Fact, Trait("Category", "Integration")]
    public async Task A_request_that_does_not_match_the_spec_is_refused_and_recorded()
    {
        await using var emulator = await Emulator.StartAsync();
        var client = emulator.Ovh();
        // a JsonObject, not an anonymous type: the build serializes only the types of its compiled contracts (JsonTypes)
        var body = new JsonObject
        {
            ["description"] = "x", ["plan"] = "essential", ["version"] = "17",
            ["nodePattern"] = new JsonObject { ["flavor"] = "db1-4", ["number"] = 1, ["region"] = "GRA" },
        };
        var failure = await Assert.ThrowsAsync<OvhApiException>(() =>
            client.PostAsync<JsonElement>($"cloud/project/{emulator.Options.ProjectId}/database/postgresql", body, default));
        Assert.Equal(HttpStatusCode.BadRequest, failure.Status);
        Assert.Contains("nodePattern", string.Join("\n", emulator.Cloud.Violations));
    }

    [Fact, Trait("Category", "Integration")]
    public async Task A_path_parameter_of_the_wrong_format_is_refused()
    {
        await using var emulator = await Emulator.StartAsync();
        var failure = await Assert.ThrowsAsync<OvhApiException>(() => emulator.OvhApi().ClusterAsync("not-a-uuid", default));
        Assert.Equal(HttpStatusCode.BadRequest, failure.Status);
        Assert.Contains("clusterId", string.Join("\n", emulator.Cloud.Violations));
    }
}
