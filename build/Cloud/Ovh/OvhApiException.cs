using System.Net;
using BuildEngine;

namespace AccoReboot.Cloud.Ovh;

/// <summary>An error answered by the OVH API: HTTP status, OVH's error class (or errorCode), message and query id.</summary>
sealed class OvhApiException(HttpStatusCode status, string? errorClass, string message, string? queryId, string method, string path)
    : BuildFailure(Describe(status, errorClass, message, queryId, method, path))
{
    public HttpStatusCode Status { get; } = status;
    public string? ErrorClass { get; } = errorClass;
    public string OvhMessage { get; } = message;
    public string? QueryId { get; } = queryId;

    public bool IsNotFound => Status == HttpStatusCode.NotFound;
    public bool IsConflict => Status == HttpStatusCode.Conflict;
    public bool IsServerError => (int)Status >= 500;

    private static string Describe(HttpStatusCode status, string? errorClass, string message, string? queryId, string method, string path)
    {
        var hint = status switch
        {
            HttpStatusCode.Forbidden when errorClass is "INVALID_CREDENTIAL" or "NOT_CREDENTIAL" =>
                " The consumer key is expired or not validated: create new OVH API keys and update credentials/common.enc.env.",
            HttpStatusCode.Forbidden when errorClass is "INVALID_KEY" => " The application key is unknown: check OVH_APPLICATION_KEY.",
            HttpStatusCode.Forbidden when errorClass is "INVALID_SIGNATURE" => " Check OVH_APPLICATION_SECRET and OVH_CONSUMER_KEY, and the clock.",
            HttpStatusCode.Forbidden when errorClass is "NOT_GRANTED_CALL" => " The API keys lack the right for this call: create keys with GET/POST/PUT/DELETE on /cloud/project/*.",
            _ => "",
        };
        var text = hint.Length > 0 ? message.TrimEnd('.') + "." + hint : message;
        return $"OVH API {method} {path}: {(int)status} {errorClass ?? status.ToString()}: {text}{(queryId != null ? $" (query id {queryId})" : "")}";
    }
}
