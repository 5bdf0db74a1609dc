using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using AccoReboot.Deploy;
using AccoReboot.Deploy.Remote;
using AccoReboot.Product;
using AccoReboot.Session;
using BuildEngine;

namespace AccoReboot.Resilience;

/// <summary>
/// ResilienceCrash, ResilienceReboot and ResilienceRecreate against a deployed environment: each breaks something
/// on purpose, measures how long the stack takes to be whole again, checks that nothing was lost, prints its
/// figures against their budgets and writes them as a markdown report. Apply and Deploy are passed in (the
/// recreate runs them as the targets do).
/// </summary>
sealed class ResilienceChecks(
    DeploymentInputs inputs,
    Func<Task> apply,
    Func<Task> deploy,
    string reportDirectory,
    BuildLog log,
    Confirmation confirm,
    CancellationToken cancellationToken)
{
    public static readonly TimeSpan CrashBudget = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan RebootBudget = TimeSpan.FromMinutes(3);
    public const double RecreateMargin = 1.10;
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);
    private readonly Dictionary<string, HttpClient> _clients = new();

    /// <summary>Kills each service's main process in turn; the restart policy must bring it back healthy within the budget.</summary>
    public async Task CrashAsync()
    {
        Ask("ResilienceCrash kills each container of the stack in turn (each service is down until its restart policy brings it back)");
        var (site, ssh) = await ConnectAsync();
        await using var _ = ssh;
        var report = new ResilienceReport("crash", inputs.Environment, inputs.Clock.GetUtcNow());
        foreach (var service in StackServices.Expected)
        {
            var before = ContainerStates.Parse(await MustAsync(ssh, ContainerStates.Command(inputs.Stack.Project), "read the containers", site));
            if (!ContainerStates.AllBackSince(before, StackServices.Expected, DateTimeOffset.MinValue))
                throw new BuildFailure($"The stack of {inputs.Environment} is not healthy before the crash of {service}: {Describe(before)} (Status, Logs).");
            var restarts = before.First(c => c.Service == service).Restarts;
            var killedAt = ContainerStates.ParseClock(await MustAsync(ssh, ContainerStates.Clock, "read the clock", site));
            var watch = Stopwatch.StartNew();
            await MustAsync(ssh, ContainerStates.Crash(inputs.Stack.Project, service), $"kill {service}", site);
            var back = await WaitAsync(ssh, site, CrashBudget * 2, states =>
                states.Any(c => c.Service == service && c.Restarts > restarts) && ContainerStates.AllBackSince(states, [service], killedAt)
                && ContainerStates.AllBackSince(states, StackServices.Expected, DateTimeOffset.MinValue));
            report.Add($"{service} killed (SIGKILL) → restarted by its policy, healthy", back ?? watch.Elapsed, CrashBudget, back != null);
            log.Info(back is { } took ? $"  {service,-10} healthy again {took.TotalSeconds,5:0.0} s after the kill" : $"  {service,-10} NOT healthy {watch.Elapsed.TotalSeconds:0} s after the kill");
            if (back == null) break;
        }
        await HealthAsync(site, report);
        Finish(report);
    }

    /// <summary>Reboots the instance through the cloud (a HARD reboot); every service must be healthy again, a row written before still there.</summary>
    public async Task RebootAsync()
    {
        Ask("ResilienceReboot reboots the instance (HARD: the power cycled; the stack is down until it is back)");
        var session = await inputs.OpenSession();
        var (site, ssh) = await ConnectAsync(session);
        var report = new ResilienceReport("reboot", inputs.Environment, inputs.Clock.GetUtcNow());
        var marker = $"resilience-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        await MustAsync(ssh, inputs.Layout.DatabaseTool(MarkerSql($"INSERT INTO positions (device_id, recorded_at, lat, lon) VALUES ('{marker}', now(), 0, 0)")), "write a position before the reboot", site);
        var rebootedAt = ContainerStates.ParseClock(await MustAsync(ssh, ContainerStates.Clock, "read the clock", site));
        await ssh.DisposeAsync();
        var watch = Stopwatch.StartNew();
        await session.Apis.Nova.RebootAsync(site.InstanceId, cancellationToken);
        log.Info($"  reboot asked of {site.InstanceId} ({site.Ipv4}); waiting for SSH and every service…");
        TimeSpan? back = null;
        IRemoteHost? again = null;
        while (watch.Elapsed < RebootBudget * 2 && back == null)
        {
            try
            {
                again ??= await OpenAsync(session, site);
                var states = ContainerStates.Parse((await again.RunAsync(ContainerStates.Command(inputs.Stack.Project), ct: cancellationToken)).Output);
                if (ContainerStates.AllBackSince(states, StackServices.Expected, rebootedAt)) back = watch.Elapsed;
            }
            catch (Exception e) when (e is BuildFailure or Renci.SshNet.Common.SshException or System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                // the instance is down: SSH refuses, times out or drops the connection until it is back
                if (again != null) await again.DisposeAsync();
                again = null;
            }
            if (back == null) await Task.Delay(Poll, cancellationToken);
        }
        report.Add("HARD reboot → SSH and every service healthy (started after the reboot)", back ?? watch.Elapsed, RebootBudget, back != null);
        if (again != null)
        {
            var count = await MustAsync(again, inputs.Layout.DatabaseTool(MarkerSql($"SELECT count(*) FROM positions WHERE device_id = '{marker}'")), "read the position written before", site);
            report.Add("the position written before the reboot is there", null, null, count.Trim() == "1");
            await again.RunAsync(inputs.Layout.DatabaseTool(MarkerSql($"DELETE FROM positions WHERE device_id = '{marker}'")), ct: cancellationToken);
            await again.DisposeAsync();
        }
        await HealthAsync(site, report);
        Finish(report);
    }

    /// <summary>Deletes the instance and brings the environment back with Apply and Deploy; a token issued before must still be accepted.</summary>
    public async Task RecreateAsync()
    {
        Ask("ResilienceRecreate deletes the instance and everything on its disk, then brings it back with Apply and Deploy");
        var session = await inputs.OpenSession();
        var (site, _) = await StackConnection.ReadAsync(inputs, session, cancellationToken);
        var endpoints = await EndpointsAsync(site.Ipv4);
        var report = new ResilienceReport("recreate", inputs.Environment, inputs.Clock.GetUtcNow());
        var (userId, token) = await IssueTokenAsync(endpoints);
        try
        {
            var total = Stopwatch.StartNew();
            await session.Apis.Nova.DeleteServerAsync(site.InstanceId, cancellationToken);
            while (await session.Apis.Nova.ServerAsync(site.InstanceId, cancellationToken) is { Status: not "DELETED" })
                await Task.Delay(Poll, cancellationToken);
            var deleted = total.Elapsed;
            log.Info($"  instance {site.InstanceId} deleted ({deleted.TotalSeconds:0.0} s); Apply…");
            var step = Stopwatch.StartNew();
            await apply();
            var applied = step.Elapsed;
            step.Restart();
            await deploy();
            var deployed = step.Elapsed;
            step.Restart();
            var (now, state) = await StackConnection.ReadAsync(inputs, session, cancellationToken);
            var accepted = await TokenAcceptedAsync(await EndpointsAsync(now.Ipv4), token);
            var checkedIn = step.Elapsed;
            var recovery = applied + deployed + checkedIn;
            var budget = (applied + deployed) * RecreateMargin;
            report.Add($"Apply (new instance {now.InstanceId}, {now.Ipv4})", applied, null, true);
            report.Add("Deploy (host key trusted again, JWT keys restored, stack healthy)", deployed, null, true);
            report.Add($"recovery: Apply + Deploy + checks (budget (Apply + Deploy) × {RecreateMargin:0.00})", recovery, budget, recovery <= budget);
            report.Add("a token issued before the instance was lost is accepted by PowerSync", checkedIn, null, accepted);
            report.Add($"the instance is a new one ({site.InstanceId} → {now.InstanceId})", null, null, now.InstanceId != site.InstanceId);
            var allowed = AllowedAddresses(state);
            report.Add($"the database lets the new address in ({string.Join(", ", allowed)})", null, null, allowed.Contains($"{now.Ipv4}/32"));
            log.Info($"  deleted {deleted.TotalSeconds:0.0} s, Apply {applied.TotalSeconds:0.0} s, Deploy {deployed.TotalSeconds:0.0} s, checks {checkedIn.TotalSeconds:0.0} s");
            await HealthAsync(now, report);
        }
        finally
        {
            await AdminAsync(await EndpointsAsync((await StackConnection.ReadAsync(inputs, session, cancellationToken)).site.Ipv4), HttpMethod.Delete, $"admin/users/{userId}", null, allowFailure: true);
        }
        Finish(report);
    }

    /// <summary>The addresses the database's IP restriction lets in, as Apply recorded them (its db-ip-restriction slice).</summary>
    private static IReadOnlyList<string> AllowedAddresses(State.StateDocument? state) =>
        state?.Resources.Where(r => r.Key.StartsWith("db-ip-restriction.", StringComparison.Ordinal))
            .SelectMany(r => r.Value.EnumerateObject().Where(p => p.Name.Equals("ips", StringComparison.OrdinalIgnoreCase)).SelectMany(p => p.Value.EnumerateArray()))
            .Select(ip => ip.GetString() ?? "").ToList() ?? [];

    private void Ask(string what)
    {
        if (inputs.Protected) confirm.RequireTyped($"{what} on {inputs.Environment}, which is protected", inputs.Environment);
        else confirm.RequireYes($"{what} on {inputs.Environment}. Go on?");
    }

    private async Task<(DeployedEnvironment site, IRemoteHost ssh)> ConnectAsync(EnvironmentSession? session = null)
    {
        session ??= await inputs.OpenSession();
        var (site, _) = await StackConnection.ReadAsync(inputs, session, cancellationToken);
        return (site, await OpenAsync(session, site));
    }

    private async Task<IRemoteHost> OpenAsync(EnvironmentSession session, DeployedEnvironment site) =>
        await new TrustedConnection(log).OpenAsync(StackConnection.Target(inputs, session, site, await inputs.DeployKey(), null), cancellationToken);

    /// <summary>Polls the containers until <paramref name="whole"/> holds; how long it took, or null past the limit.</summary>
    private async Task<TimeSpan?> WaitAsync(IRemoteHost ssh, DeployedEnvironment site, TimeSpan limit, Func<IReadOnlyList<ContainerState>, bool> whole)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < limit)
        {
            var states = ContainerStates.Parse(await MustAsync(ssh, ContainerStates.Command(inputs.Stack.Project), "read the containers", site));
            if (whole(states)) return watch.Elapsed;
            await Task.Delay(Poll, cancellationToken);
        }
        return null;
    }

    private async Task HealthAsync(DeployedEnvironment site, ResilienceReport report)
    {
        var endpoints = await EndpointsAsync(site.Ipv4);
        var health = endpoints.Health;
        var ok = false;
        try
        {
            ok = (await Http(endpoints).GetAsync(health, cancellationToken)).StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
        }
        report.Add($"{health} answers 200 afterwards", null, null, ok);
    }

    private void Finish(ResilienceReport report)
    {
        Directory.CreateDirectory(reportDirectory);
        var path = Path.Combine(reportDirectory, $"resilience-{report.Kind}-{report.Environment}.md");
        File.WriteAllText(path + ".tmp", report.Markdown());
        File.Move(path + ".tmp", path, overwrite: true);
        foreach (var line in report.Lines()) log.Info(line);
        log.Info($"Report: {path}");
        if (!report.Passed) throw new BuildFailure($"Resilience ({report.Kind}) of {inputs.Environment}: {report.Failures} check{(report.Failures == 1 ? "" : "s")} failed; see {path}.");
        log.Success($"Resilience ({report.Kind}) of {inputs.Environment}: every check met.");
    }

    // psql's -At answer alone on stdout; the SQL goes in on the script's stdin (a heredoc), never as an argument
    private static string MarkerSql(string sql) => $"psql -X -q -At -v ON_ERROR_STOP=1 <<'SQL'\n{sql};\nSQL";

    private Task<PublicEndpoints> EndpointsAsync(string ipv4) => PublicSite.EndpointsAsync(inputs.Stack, ipv4, log, cancellationToken);

    /// <summary>One client per site address (a recreated instance has another), pinned to it.</summary>
    private HttpClient Http(PublicEndpoints endpoints)
    {
        if (!_clients.TryGetValue(endpoints.Connections.Address, out var client))
            _clients[endpoints.Connections.Address] = client = endpoints.Connections.HttpClient();
        return client;
    }

    private async Task<(string userId, string token)> IssueTokenAsync(PublicEndpoints endpoints)
    {
        var username = $"resilience-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        inputs.Masker.Register(password);
        var user = await AdminAsync(endpoints, HttpMethod.Post, "admin/users", new JsonObject { ["username"] = username, ["password"] = password });
        var userId = user!["id"]!.GetValue<string>();
        var answer = await Http(endpoints).PostAsJsonAsync(endpoints.Api("auth/token"), new JsonObject { ["username"] = username, ["password"] = password }, JsonTypes.Default.JsonObject, cancellationToken);
        if (!answer.IsSuccessStatusCode) throw new BuildFailure($"/api/auth/token answered {(int)answer.StatusCode} for the test user: the stack is not serving sign-ins.");
        var token = (await answer.Content.ReadFromJsonAsync(JsonTypes.Default.JsonObject, cancellationToken))!["token"]!.GetValue<string>();
        inputs.Masker.Register(token);
        if (!await TokenAcceptedAsync(endpoints, token)) throw new BuildFailure("PowerSync refuses a token the API just issued: run Smoke to see which step fails.");
        return (userId, token);
    }

    private async Task<bool> TokenAcceptedAsync(PublicEndpoints endpoints, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoints.PowerSync, "sync/stream")) { Content = JsonContent.Create(new JsonObject(), JsonTypes.Default.JsonObject) };
        request.Headers.TryAddWithoutValidation("Authorization", "Token " + token);
        using var response = await Http(endpoints).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        return response.IsSuccessStatusCode;
    }

    private async Task<JsonObject?> AdminAsync(PublicEndpoints endpoints, HttpMethod method, string path, JsonObject? body, bool allowFailure = false)
    {
        using var request = new HttpRequestMessage(method, endpoints.Api(path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", (await inputs.EnvironmentCredentials()).ApiAdminToken);
        if (body != null) request.Content = JsonContent.Create(body, JsonTypes.Default.JsonObject);
        try
        {
            using var response = await Http(endpoints).SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode && !allowFailure) throw new BuildFailure($"{method} /api/{path} answered {(int)response.StatusCode}.");
            return response.StatusCode == HttpStatusCode.NoContent || !response.IsSuccessStatusCode ? null : await response.Content.ReadFromJsonAsync(JsonTypes.Default.JsonObject, cancellationToken);
        }
        catch (HttpRequestException) when (allowFailure)
        {
            return null;
        }
    }


    private static string Describe(IReadOnlyList<ContainerState> states) =>
        string.Join(", ", StackServices.Expected.Select(s => states.FirstOrDefault(c => c.Service == s) is { } c ? $"{s} {c.Status}/{c.Health}" : $"{s} missing"));

    private Task<string> MustAsync(IRemoteHost ssh, string command, string what, DeployedEnvironment site) =>
        ssh.MustAsync(command, what, site.Ipv4, cancellationToken);
}
