using System.Net;
using BuildEngine;

namespace AccoReboot.Cloud.OpenStack;

/// <summary>An error answered by an OpenStack service, with the service's own message (Nova/Neutron fault bodies).</summary>
sealed class OpenStackApiException(string service, HttpStatusCode status, string message, string method, string path)
    : BuildFailure($"OpenStack {service} {method} {path}: {(int)status} {status}: {message}")
{
    public HttpStatusCode Status { get; } = status;
    public string ServiceMessage { get; } = message;
    public bool IsNotFound => Status == HttpStatusCode.NotFound;
    public bool IsConflict => Status == HttpStatusCode.Conflict;
}
