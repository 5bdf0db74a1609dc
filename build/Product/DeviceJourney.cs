using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AccoReboot.Deploy;
using BuildEngine;
using MQTTnet;
using MQTTnet.Protocol;

namespace AccoReboot.Product;

/// <summary>
/// Smoke: the product's own journey against a deployed environment, from outside, as a device and an app do it.
/// A device and an app user are made through the admin API; the device signs in over MQTT and over the websocket
/// behind Caddy; what must be refused is (wrong secret, anonymous, another client id, another device's topic, the
/// internal routes); a position lands in the history and the latest table, and reaches the user's app through
/// PowerSync; the revoked device is refused. Everything it made is removed at the end, also after a failure.
/// </summary>
sealed class DeviceJourney(PublicEndpoints endpoints, string adminToken, SecretMasker masker, BuildLog log, CancellationToken cancellationToken)
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(15);
    private readonly HttpClient _http = endpoints.Connections.HttpClient();
    private readonly List<(string Name, TimeSpan Took, string? Failure)> _steps = [];
    private readonly string _run = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
    private string? _userId;
    private string? _deviceId;

    public async Task RunAsync()
    {
        var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        masker.Register(password);
        string secret = "", token = "";
        var latitude = 48.8566 + Random.Shared.NextDouble() / 100;
        var position = new JsonObject { ["lat"] = latitude, ["lon"] = 2.3522, ["recorded_at"] = DateTimeOffset.UtcNow.ToString("O") };
        try
        {
            await Step($"the API answers /health through Caddy{(endpoints.Https ? " over HTTPS (the certificate checked)" : "")}",
                async ct => Expect((await _http.GetAsync(endpoints.Health, ct)).StatusCode == HttpStatusCode.OK, "not 200"));
            if (endpoints.HttpSite is { } httpSite)
                await Step("HTTP redirects to HTTPS", async ct =>
                {
                    using var http = endpoints.Connections.HttpClient(followRedirects: false);
                    using var answer = await http.GetAsync(new Uri(httpSite, "health"), ct);
                    var location = answer.Headers.Location?.ToString() ?? "";
                    Expect((int)answer.StatusCode is 301 or 302 or 307 or 308 && location.StartsWith($"https://{endpoints.MqttHost}", StringComparison.Ordinal),
                        $"answered {(int)answer.StatusCode} {location}, not a redirect to https://{endpoints.MqttHost}");
                });
            await Step("EMQX's callbacks and /metrics are not routed by Caddy", async ct =>
            {
                foreach (var (method, path) in new[] { (HttpMethod.Post, "auth/mqtt"), (HttpMethod.Post, "auth/mqtt/acl"), (HttpMethod.Get, "metrics") })
                {
                    var status = (await _http.SendAsync(new HttpRequestMessage(method, endpoints.Api(path)) { Content = JsonContent.Create(new JsonObject(), JsonTypes.Default.JsonObject) }, ct)).StatusCode;
                    Expect(status == HttpStatusCode.NotFound, $"{method} /api/{path} answered {(int)status}, not 404");
                }
            });
            await Step("an app user is created through the admin API", async ct =>
                _userId = (await Admin(HttpMethod.Post, "admin/users", new JsonObject { ["username"] = $"smoke-{_run}", ["password"] = password }, ct))!["id"]!.GetValue<string>());
            await Step("a device of that user is created", async ct =>
            {
                var device = await Admin(HttpMethod.Post, "admin/devices", new JsonObject { ["id"] = $"smoke-{_run}", ["name"] = "Smoke", ["owner_id"] = _userId }, ct);
                _deviceId = device!["id"]!.GetValue<string>();
                secret = device["secret"]!.GetValue<string>();
                masker.Register(secret);
            });
            await Step($"the device connects over MQTT{(endpoints.MqttTlsPort != null ? " with TLS" : "")} with its secret", async ct => await ExpectAccepted(Tcp(_deviceId!, _deviceId!, secret), ct));
            if (endpoints.MqttTlsPort != null)
                await Step("the device connects over plain MQTT too", async ct => await ExpectAccepted(Plain(_deviceId!, _deviceId!, secret), ct));
            await Step($"the device connects over the websocket through Caddy{(endpoints.Https ? " (wss)" : "")}", async ct => await ExpectAccepted(WebSocket(_deviceId!, _deviceId!, secret), ct));
            await Step("a wrong secret is refused", async ct => await ExpectRefused(Tcp(_deviceId!, _deviceId!, "wrong-" + secret[..8]), ct));
            await Step("an anonymous client is refused", async ct => await ExpectRefused(Tcp($"anonymous-{_run}", null, null), ct));
            await Step("a client id that is not the username is refused", async ct => await ExpectRefused(Tcp($"other-{_run}", _deviceId!, secret), ct));
            await Step("a publish under another device's topic disconnects the device", async ct =>
            {
                using var client = new MqttClientFactory().CreateMqttClient();
                var disconnected = new TaskCompletionSource();
                client.DisconnectedAsync += _ => { disconnected.TrySetResult(); return Task.CompletedTask; };
                await client.ConnectAsync(Tcp(_deviceId!, _deviceId!, secret), ct);
                await PublishAsync(client, $"devices/someone-else-{_run}/position", position, ct).ContinueWith(_ => { }, TaskScheduler.Default);
                await disconnected.Task.WaitAsync(TimeSpan.FromSeconds(5), ct);
            });
            await Step("a position lands in the history and the latest position", async ct =>
            {
                using (var client = new MqttClientFactory().CreateMqttClient())
                {
                    await client.ConnectAsync(Tcp(_deviceId!, _deviceId!, secret), ct);
                    await PublishAsync(client, $"devices/{_deviceId}/position", position, ct);
                    await client.DisconnectAsync(cancellationToken: ct);
                }
                await Eventually(async () =>
                {
                    var stored = await Admin(HttpMethod.Get, $"admin/devices/{_deviceId}/positions?limit=5", null, ct);
                    return stored!["latest"] is JsonObject latest && Math.Abs(latest["lat"]!.GetValue<double>() - latitude) < 1e-9
                           && stored["history"]!.AsArray().Any(row => Math.Abs(row!["lat"]!.GetValue<double>() - latitude) < 1e-9);
                }, "the position is not in the database", ct);
            });
            await Step("the user's token gets the position from PowerSync", async ct =>
            {
                var answer = await _http.PostAsJsonAsync(endpoints.Api("auth/token"), new JsonObject { ["username"] = $"smoke-{_run}", ["password"] = password }, JsonTypes.Default.JsonObject, ct);
                Expect(answer.IsSuccessStatusCode, $"/api/auth/token answered {(int)answer.StatusCode}");
                token = (await answer.Content.ReadFromJsonAsync(JsonTypes.Default.JsonObject, ct))!["token"]!.GetValue<string>();
                masker.Register(token);
                await Eventually(async () => (await SyncedLatitude(token, ct)) is { } lat && Math.Abs(lat - latitude) < 1e-9,
                    "PowerSync's sync stream does not hold the device's position", ct);
            });
            await Step("PowerSync refuses a token that is not the API's", async ct =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoints.PowerSync, "sync/stream")) { Content = JsonContent.Create(new JsonObject(), JsonTypes.Default.JsonObject) };
                request.Headers.TryAddWithoutValidation("Authorization", "Token " + token[..token.LastIndexOf('.')] + ".c2lnbmF0dXJl");
                var status = (await _http.SendAsync(request, ct)).StatusCode;
                Expect(status == HttpStatusCode.Unauthorized, $"answered {(int)status}, not 401");
            });
            await Step("the revoked device is refused", async ct =>
            {
                await Admin(HttpMethod.Delete, $"admin/devices/{_deviceId}", null, ct);
                await ExpectRefused(Tcp(_deviceId!, _deviceId!, secret), ct);
            });
        }
        finally
        {
            await CleanUpAsync();
        }
        var failed = _steps.Count(s => s.Failure != null);
        if (failed > 0) throw new BuildFailure($"{failed} of {_steps.Count} steps failed on {endpoints.Site}.");
        log.Success($"Smoke: the device-to-app journey works on {endpoints.Site} ({_steps.Count} steps, {_steps.Sum(s => s.Took.TotalSeconds):0.0} s).");
    }

    private async Task Step(string name, Func<CancellationToken, Task> action)
    {
        if (_steps.Any(s => s.Failure != null)) return; // each step builds on the ones before
        var watch = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StepTimeout);
        string? failure = null;
        try
        {
            await action(timeout.Token);
        }
        catch (Exception e) when (e is JourneyFailure or HttpRequestException or MQTTnet.Exceptions.MqttCommunicationException or TimeoutException or JsonException
                                      || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            failure = e is OperationCanceledException ? $"no answer within {StepTimeout.TotalSeconds:0} s" : e.Message.Split('\n')[0];
        }
        _steps.Add((name, watch.Elapsed, failure));
        var took = $"{watch.Elapsed.TotalMilliseconds,6:0} ms";
        if (failure == null) log.Info($"  ok    {took}  {name}");
        else log.Error($"  FAIL  {took}  {name}: {masker.Mask(failure)}");
    }

    private async Task CleanUpAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            if (_deviceId != null) await Admin(HttpMethod.Delete, $"admin/devices/{_deviceId}?purge=true", null, timeout.Token, allowMissing: true);
            if (_userId != null) await Admin(HttpMethod.Delete, $"admin/users/{_userId}", null, timeout.Token, allowMissing: true);
        }
        catch (Exception e) when (e is JourneyFailure or HttpRequestException or OperationCanceledException)
        {
            log.Warn($"Smoke could not remove what it made (user smoke-{_run}): {masker.Mask(e.Message)}");
        }
    }

    private async Task<JsonObject?> Admin(HttpMethod method, string path, JsonObject? body, CancellationToken ct, bool allowMissing = false)
    {
        using var request = new HttpRequestMessage(method, endpoints.Api(path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        if (body != null) request.Content = JsonContent.Create(body, JsonTypes.Default.JsonObject);
        using var response = await _http.SendAsync(request, ct);
        if (allowMissing && response.StatusCode == HttpStatusCode.NotFound) return null;
        Expect(response.IsSuccessStatusCode, $"{method} /api/{path} answered {(int)response.StatusCode}");
        return response.StatusCode == HttpStatusCode.NoContent ? null : await response.Content.ReadFromJsonAsync(JsonTypes.Default.JsonObject, ct);
    }

    /// <summary>The latitude of the device's row in the user's buckets, read from /sync/stream up to checkpoint_complete.</summary>
    private async Task<double?> SyncedLatitude(string token, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoints.PowerSync, "sync/stream")) { Content = JsonContent.Create(new JsonObject(), JsonTypes.Default.JsonObject) };
        request.Headers.TryAddWithoutValidation("Authorization", "Token " + token);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode)
            throw new JourneyFailure($"/powersync/sync/stream answered {(int)response.StatusCode}: {(await response.Content.ReadAsStringAsync(ct)).Trim()}");
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        double? latitude = null;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            var message = JsonNode.Parse(line)!.AsObject();
            if (message["checkpoint_complete"] != null) return latitude;
            foreach (var operation in message["data"]?["data"]?.AsArray() ?? [])
                if (operation!["op"]!.GetValue<string>() == "PUT" && operation["object_id"]!.GetValue<string>() == _deviceId)
                    latitude = JsonNode.Parse(operation["data"]!.GetValue<string>())!["lat"]!.GetValue<double>();
        }
        return latitude;
    }

    /// <summary>How a device connects: MQTT over TLS with a domain, plain MQTT without.</summary>
    private MqttClientOptions Tcp(string clientId, string? username, string? password) =>
        endpoints.MqttTlsPort is { } tls
            ? Options(endpoints.Connections.MqttTls(new MqttClientOptionsBuilder(), tls), clientId, username, password)
            : Plain(clientId, username, password);

    private MqttClientOptions Plain(string clientId, string? username, string? password) =>
        Options(new MqttClientOptionsBuilder().WithTcpServer(endpoints.Connections.Address, endpoints.MqttPort), clientId, username, password);

    private MqttClientOptions WebSocket(string clientId, string? username, string? password) =>
        endpoints.Https
            ? endpoints.Connections.OverWebSocket(Options(new MqttClientOptionsBuilder().WithTcpServer(endpoints.Connections.Address, endpoints.MqttPort), clientId, username, password), endpoints.WebSocket)
            : Options(new MqttClientOptionsBuilder().WithWebSocketServer(o => o.WithUri(endpoints.WebSocket.ToString())), clientId, username, password);

    private static MqttClientOptions Options(MqttClientOptionsBuilder builder, string clientId, string? username, string? password)
    {
        builder = builder.WithClientId(clientId).WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V311).WithTimeout(TimeSpan.FromSeconds(5)).WithCleanSession();
        return (username == null ? builder : builder.WithCredentials(username, password)).Build();
    }

    private static async Task ExpectAccepted(MqttClientOptions options, CancellationToken ct)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        var result = await client.ConnectAsync(options, ct);
        Expect(result.ResultCode == MqttClientConnectResultCode.Success, $"CONNACK {result.ResultCode}");
        await client.DisconnectAsync(cancellationToken: ct);
    }

    private static async Task ExpectRefused(MqttClientOptions options, CancellationToken ct)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        try
        {
            var result = await client.ConnectAsync(options, ct);
            Expect(result.ResultCode != MqttClientConnectResultCode.Success, "the broker accepted it");
        }
        catch (MQTTnet.Adapter.MqttConnectingFailedException)
        {
            // CONNACK with a refusal (4 bad user name or password, 5 not authorized): what the broker must answer
        }
    }

    private static Task PublishAsync(IMqttClient client, string topic, JsonObject payload, CancellationToken ct) =>
        client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(Encoding.UTF8.GetBytes(payload.ToJsonString()))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);

    /// <summary>Until the check holds, within the step's time; the last reason it did not is the failure.</summary>
    private static async Task Eventually(Func<Task<bool>> check, string failure, CancellationToken ct)
    {
        var last = failure;
        while (true)
        {
            try
            {
                if (await check()) return;
                last = failure;
            }
            catch (JourneyFailure e)
            {
                last = e.Message;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            if (ct.IsCancellationRequested) throw new JourneyFailure(last);
            await Task.Delay(200, CancellationToken.None);
        }
    }

    private static void Expect(bool condition, string failure)
    {
        if (!condition) throw new JourneyFailure(failure);
    }

    private sealed class JourneyFailure(string message) : Exception(message);
}
