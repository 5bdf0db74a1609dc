using AccoReboot.Cloud.OpenStack;
using AccoReboot.Cloud.Ovh;
using AccoReboot.Infra.Apply;
using AccoReboot.Secrets;
using AccoReboot.State;

namespace AccoReboot.Infra;

/// <summary>The clients of one environment: OVH API, OpenStack services of its region, and its state store.</summary>
sealed class CloudSession(CloudApis apis, S3StateStore state) : IDisposable
{
    private static HttpClient Http => Cloud.Http.HttpRetry.SharedClient;

    public CloudApis Apis { get; } = apis;
    public S3StateStore State { get; } = state;

    public static CloudSession Open(EnvironmentSettings settings, CommonCredentials common, EnvironmentCredentials environment, TimeProvider clock)
    {
        var ovh = new OvhClient(Http, OvhEndpoints.Resolve(settings.OvhEndpoint),
            new OvhCredentials(common.OvhApplicationKey, common.OvhApplicationSecret, common.OvhConsumerKey), clock, settings.Retry);
        var keystone = new Keystone(Http, new Uri(settings.IdentityUrl),
            new OpenStackCredentials(environment.OpenStackUsername, environment.OpenStackPassword, environment.OvhProjectId), settings.Region, clock, settings.Retry);
        var openStack = new OpenStackClient(Http, keystone, settings.Retry);
        var apis = new CloudApis(new OvhCloudApi(ovh, environment.OvhProjectId), new Nova(openStack), new Neutron(openStack), new Glance(openStack));
        return new CloudSession(apis, OpenState(settings, common, clock));
    }

    public static S3StateStore OpenState(EnvironmentSettings settings, CommonCredentials common, TimeProvider clock)
    {
        var endpoint = settings.S3Endpoint != null ? new Uri(settings.S3Endpoint) : StateLocation.OvhEndpoint(settings.StateRegion);
        var location = new StateLocation(endpoint, settings.StateRegion, settings.StateBucket, settings.Name);
        return new S3StateStore(S3StateStore.Client(location, common.S3AccessKey, common.S3SecretKey, settings.Retry), location, clock, settings.Retry);
    }

    public void Dispose() { }
}
