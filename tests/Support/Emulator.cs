using AccoReboot.Cloud.Http;
using AccoReboot.Cloud.OpenStack;
using AccoReboot.Cloud.Ovh;
using AccoReboot.Sandbox.Emulator;

namespace Tests.Support;

/// <summary>A started cloud emulator with short delays, and clients pointed at it.</summary>
internal sealed class Emulator : IAsyncDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private Emulator(CloudEmulator cloud) => Cloud = cloud;

    public CloudEmulator Cloud { get; }
    public EmulatorOptions Options => Cloud.World.Options;

    public static async Task<Emulator> StartAsync(EmulatorOptions? options = null)
    {
        var cloud = new CloudEmulator(options ?? new EmulatorOptions(), Repository.Path("build", "Sandbox", "apispecs"));
        await cloud.StartAsync();
        return new Emulator(cloud);
    }

    public OvhClient Ovh(OvhCredentials? credentials = null) =>
        new(_http, OvhEndpoints.Resolve(Cloud.OvhEndpoint),
            credentials ?? new OvhCredentials(Options.ApplicationKey, Options.ApplicationSecret, Options.ConsumerKey),
            TimeProvider.System, RetrySettings.Fast);

    public OvhCloudApi OvhApi(OvhCredentials? credentials = null) => new(Ovh(credentials), Options.ProjectId);

    public Keystone Keystone(string region = "GRA9", string? password = null) =>
        new(_http, new Uri(Cloud.IdentityUrl), new OpenStackCredentials(Options.OpenStackUsername, password ?? Options.OpenStackPassword, Options.ProjectId),
            region, TimeProvider.System, RetrySettings.Fast);

    public OpenStackClient OpenStack(Keystone? keystone = null) => new(_http, keystone ?? Keystone(), RetrySettings.Fast);

    public async ValueTask DisposeAsync()
    {
        await Cloud.DisposeAsync();
        _http.Dispose();
    }
}
