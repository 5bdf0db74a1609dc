using AccoReboot.Cloud.Ovh;
using AccoReboot.Infra.Apply;

namespace AccoReboot.Infra.Resources;

/// <summary>
/// OVH answers 409 ServiceNotReady to any change while the cluster is not READY (and to a second change at once):
/// wait for READY and try again.
/// </summary>
static class OvhRetry
{
    public static async Task<T> WhenNotReadyAsync<T>(ApplyContext context, string clusterId, string who, Func<Task<T>> call)
    {
        while (true)
        {
            try
            {
                return await call();
            }
            catch (OvhApiException e) when (e.IsConflict && e.ErrorClass is "Client::Conflict::ServiceNotReady" or "Client::Conflict::ServiceOnlyOneModification")
            {
                context.Report(who, "cluster busy, waiting for READY");
                await DbClusterResource.WaitReadyAsync(context, clusterId, who);
            }
        }
    }
}
