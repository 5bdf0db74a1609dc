using System.Collections.Concurrent;
using System.Net;
using AccoReboot.Sandbox.Specs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace AccoReboot.Sandbox.Emulator;

/// <summary>One request the emulator answered.</summary>
sealed record RecordedRequest(string Service, string Method, string Path, int Status, bool ReadsOnly)
{
    /// <summary>A call that changes the cloud: not a token, not the state store, not a read such as the console output.</summary>
    public bool IsMutatingCloudCall => Service is "ovh" or "compute" or "network" && Method is "POST" or "PUT" or "DELETE" && !ReadsOnly;
}

/// <summary>
/// A local stand-in for the OVH API, OpenStack (Keystone, Nova, Neutron, Glance) and OVH Object Storage (S3),
/// on 127.0.0.1. Every request is checked against the official schemas in apispecs/ and refused as the real API
/// would refuse it when it does not match; the violations are kept so a test can also fail on them. Faults can be
/// injected per request (500 after creating, 409, 429, latency, dropped connection).
/// </summary>
sealed class CloudEmulator : IAsyncDisposable
{
    private readonly WebApplication _api;
    private readonly WebApplication _s3;
    private readonly Dictionary<string, SpecValidator> _validators;
    private readonly OvhHandler _ovh;
    private readonly OpenStackHandler _openStack;
    private readonly S3Handler _s3Handler;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly ConcurrentQueue<string> _violations = new();
    private readonly List<Fault> _faults = [];

    public CloudEmulator(EmulatorOptions options, string specDirectory, TimeProvider? clock = null, int apiPort = 0, int s3Port = 0)
    {
        World = new EmulatorWorld(options, clock ?? TimeProvider.System);
        World.EnsureDefaultSecurityGroups();
        _validators = new()
        {
            ["ovh"] = new SpecValidator(ApiSpec.Load(Path.Combine(specDirectory, "ovh-cloud-subset.json"))),
            ["ovh-domain"] = new SpecValidator(ApiSpec.Load(Path.Combine(specDirectory, "ovh-domain-subset.json"))),
            ["identity"] = new SpecValidator(ApiSpec.Load(Path.Combine(specDirectory, "openstack", "identity-subset.yaml"))),
            ["compute"] = new SpecValidator(ApiSpec.Load(Path.Combine(specDirectory, "openstack", "compute-subset.yaml"))),
            ["network"] = new SpecValidator(ApiSpec.Load(Path.Combine(specDirectory, "openstack", "network-subset.yaml"))),
            ["image"] = new SpecValidator(ApiSpec.Load(Path.Combine(specDirectory, "openstack", "image-subset.yaml"))),
        };
        _ovh = new OvhHandler(World);
        _openStack = new OpenStackHandler(World, () => BaseUrl);
        _s3Handler = new S3Handler(World);
        _api = Host(apiPort, HandleApiAsync);
        _s3 = Host(s3Port, HandleS3Async);
    }

    public EmulatorWorld World { get; }

    /// <summary>http://127.0.0.1:port/ (with the trailing slash).</summary>
    public string BaseUrl { get; private set; } = "";
    public string S3Url { get; private set; } = "";
    public string OvhEndpoint => BaseUrl + "ovh/1.0";
    public string IdentityUrl => BaseUrl + "identity/v3";

    public IReadOnlyList<RecordedRequest> Requests => _requests.ToList();
    public IReadOnlyList<string> Violations => _violations.ToList();
    public IEnumerable<RecordedRequest> MutatingCloudCalls => Requests.Where(r => r.IsMutatingCloudCall);

    /// <summary>Called after each answered request (crash tests kill the client process from here).</summary>
    public Action<RecordedRequest>? AfterRequest { get; set; }

    public async Task StartAsync()
    {
        await _api.StartAsync();
        await _s3.StartAsync();
        BaseUrl = Address(_api) + "/";
        S3Url = Address(_s3);
    }

    public Fault Inject(Fault fault)
    {
        lock (_faults) _faults.Add(fault);
        return fault;
    }

    public void ClearFaults()
    {
        lock (_faults) _faults.Clear();
    }

    public void ClearRequests() => _requests.Clear();

    public void RevokeTokens() => _openStack.RevokeAllTokens();

    public async ValueTask DisposeAsync()
    {
        await _api.StopAsync();
        await _s3.StopAsync();
        await _api.DisposeAsync();
        await _s3.DisposeAsync();
    }

    private static WebApplication Host(int port, RequestDelegate handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        app.Run(handler);
        return app;
    }

    private static string Address(WebApplication app) =>
        app.Urls.First().Replace("[::]", "127.0.0.1").Replace("localhost", "127.0.0.1").TrimEnd('/');

    private async Task HandleApiAsync(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        var path = raw.Split('?')[0];
        var segments = path.Trim('/').Split('/').Select(Uri.UnescapeDataString).ToList();
        // the emulator's own report, not a cloud API: GET the creation timeline (bench/apply), DELETE to start anew
        if (segments is ["_emulator", "timeline"])
        {
            if (context.Request.Method == "DELETE") World.Timeline.Clear();
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(World.Timeline.ToJson().ToJsonString());
            return;
        }
        (string service, int skip, string region) route = segments switch
        {
            ["ovh", "1.0", ..] => ("ovh", 2, ""),
            ["identity", ..] => ("identity", 1, ""),
            ["compute", var r, ..] => ("compute", 2, r),
            ["network", var r, ..] => ("network", 2, r),
            ["image", var r, ..] => ("image", 2, r),
            _ => ("unknown", 0, ""),
        };
        var request = await ReadAsync(context, route.service, segments.Skip(route.skip).ToList(), route.region);
        request = request with { Headers = new Dictionary<string, string>(request.Headers) { ["x-emulator-url"] = $"{context.Request.Scheme}://{context.Request.Host}{raw}" } };
        await AnswerAsync(context, request, () => Task.FromResult(Dispatch(request)));
    }

    private async Task HandleS3Async(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        var segments = raw.Split('?')[0].Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToList();
        var request = await ReadAsync(context, "s3", segments, "");
        await AnswerAsync(context, request, () => _s3Handler.HandleAsync(request));
    }

    private EmulatorResponse Dispatch(EmulatorRequest request)
    {
        if (request.Service == "unknown") return OpenStackHandler.Fault(404, "itemNotFound", $"{request.Path} is not an emulated service");
        if (request.Service != "ovh" || request.Path != "/auth/time")
        {
            var validator = ValidatorFor(request)!;
            var microversion = request.Header("X-OpenStack-Nova-API-Version") ?? "2.1";
            var check = validator.CheckRequest(request.Method, request.Segments, request.Query, request.Header("Content-Type"), request.Body, microversion);
            if (!check.IsValid)
            {
                foreach (var error in check.Errors) _violations.Enqueue($"{request.Service} {request.Method} {request.Path}: {error}");
                var message = string.Join("; ", check.Errors);
                return request.Service == "ovh"
                    ? OvhHandler.Error(check.Status, check.Status == 400 ? "Client::BadRequest::InvalidParameter" : "Client::NotFound", message)
                    : OpenStackHandler.Fault(check.Status, check.Status == 400 ? "badRequest" : "itemNotFound", message);
            }
        }
        if (request.Service is "compute" or "network" or "image" && !World.Options.Regions.Contains(request.Region))
            return OpenStackHandler.Fault(404, "itemNotFound", $"Region {request.Region} has no endpoint");
        if (request.Service is "compute" or "network" or "image" && _openStack.Authorize(request) is { } unauthorized)
            return unauthorized;
        return request.Service switch
        {
            "ovh" => _ovh.Handle(request),
            "identity" => _openStack.Identity(request),
            "compute" => _openStack.Compute(request),
            "network" => _openStack.Network(request),
            _ => _openStack.Image(request),
        };
    }

    private async Task AnswerAsync(HttpContext context, EmulatorRequest request, Func<Task<EmulatorResponse>> handle)
    {
        Fault? fault;
        lock (_faults) fault = _faults.FirstOrDefault(f => f.Matches(request));
        EmulatorResponse response;
        switch (fault?.Kind)
        {
            case FaultKind.DropConnection:
                Record(request, 0);
                context.Abort();
                return;
            case FaultKind.ServerError:
                response = Failure(request, 500, "Internal server error (injected)");
                break;
            case FaultKind.NotReady:
                response = request.Service == "ovh"
                    ? OvhHandler.Error(409, "Client::Conflict::ServiceNotReady", "The service is not ready for modifications (injected)")
                    : OpenStackHandler.Fault(409, "conflictingRequest", "Conflict (injected)");
                break;
            case FaultKind.TooManyRequests:
                response = Failure(request, 429, "Too many requests (injected)").With("Retry-After", "0");
                break;
            case FaultKind.Latency:
                await Task.Delay(fault.Delay);
                response = await handle();
                break;
            case FaultKind.ServerErrorAfterWork:
                await handle();
                response = Failure(request, 500, "Internal server error (injected after the work was done)");
                break;
            case FaultKind.DropConnectionAfterWork:
                var done = await handle();
                Record(request, done.Status);
                context.Abort();
                return;
            case FaultKind.ServerGoesToError:
                response = await handle();
                MarkNewestServerFailed(fault.Message);
                break;
            default:
                try
                {
                    response = await handle();
                }
                catch (Exception e)
                {
                    // a bug in the emulator: fail loudly in the tests
                    _violations.Enqueue($"emulator crashed on {request.Method} {request.Path}: {e}");
                    response = Failure(request, 500, "emulator crashed: " + e.Message);
                }
                break;
        }
        if (World.Options.CheckResponses && fault == null) CheckResponse(request, response);
        context.Response.StatusCode = response.Status;
        foreach (var (name, value) in response.Headers)
        {
            if (name == "Content-Length-Override") context.Response.ContentLength = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
            else context.Response.Headers[name] = value;
        }
        if (response.Bytes is { Length: > 0 } bytes)
        {
            context.Response.ContentType = response.ContentType;
            await context.Response.Body.WriteAsync(bytes);
        }
        else if (response.Body.Length > 0)
        {
            context.Response.ContentType = response.ContentType;
            await context.Response.WriteAsync(response.Body);
        }
        Record(request, response.Status);
    }

    /// <summary>Where the real services answer differently from their published specs, the emulator follows the services.</summary>
    private static readonly (string service, string pattern, string why)[] Errata =
    [
        ("identity", "status 201 is not documented", "Keystone documents 200 for POST /v3/auth/tokens and answers 201"),
        ("identity", "/domain/id: ", "the default domain's id is \"default\""),
        ("compute", "POST /v2.1/os-keypairs: status 200", "Nova answers 200 below microversion 2.2"),
        ("compute", "/action: status 200", "os-getConsoleOutput answers 200"),
        ("compute", "/keypair/created_at: Value does not match format", "Nova writes timestamps without a time zone"),
        ("network", "/security_group_rules: Value is \"array\"", "Neutron answers the rules as a list"),
        ("network", "/port_range_m", "Neutron answers ports as numbers"),
    ];

    private void CheckResponse(EmulatorRequest request, EmulatorResponse response)
    {
        if (ValidatorFor(request) is not { } validator || request.Path == "/auth/time") return;
        var (_, operation) = validator.Spec.Find(request.Segments, request.Method);
        if (operation == null) return;
        foreach (var error in validator.CheckResponse(operation, response.Status, response.Body, "2.1"))
            if (!Errata.Any(e => e.service == request.Service && error.Contains(e.pattern, StringComparison.Ordinal)))
                _violations.Enqueue($"emulator response to {request.Method} {request.Path} ({response.Status}): {error}");
    }

    /// <summary>The spec a request is checked against: OVH's /domain calls have their own document.</summary>
    private SpecValidator? ValidatorFor(EmulatorRequest request) =>
        _validators.GetValueOrDefault(request.Service == "ovh" && request.Segments is ["domain", ..] ? "ovh-domain" : request.Service);

    private void MarkNewestServerFailed(string message)
    {
        lock (World.Gate)
        {
            var newest = World.Servers.Values.OrderByDescending(s => s.CreatedAt).FirstOrDefault();
            if (newest != null) newest.Fault = message;
        }
    }

    private static EmulatorResponse Failure(EmulatorRequest request, int status, string message) =>
        request.Service == "ovh" ? OvhHandler.Error(status, status == 429 ? "Client::TooManyRequests" : "Server::InternalServerError", message)
        : request.Service == "s3" ? new EmulatorResponse(status, $"<Error><Code>{(status == 429 ? "SlowDown" : "InternalError")}</Code><Message>{message}</Message></Error>", "application/xml")
        : OpenStackHandler.Fault(status, status == 429 ? "overLimit" : "computeFault", message);

    private void Record(EmulatorRequest request, int status)
    {
        var readsOnly = request.Service == "compute" && request.Path.EndsWith("/action", StringComparison.Ordinal) && request.Body.Contains("os-getConsoleOutput");
        var entry = new RecordedRequest(request.Service, request.Method, request.Path, status, readsOnly);
        _requests.Enqueue(entry);
        AfterRequest?.Invoke(entry);
    }

    private static async Task<EmulatorRequest> ReadAsync(HttpContext context, string service, List<string> segments, string region)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var query = context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString());
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        return new EmulatorRequest(service, context.Request.Method, segments, query, headers, buffer.ToArray(), region);
    }
}
