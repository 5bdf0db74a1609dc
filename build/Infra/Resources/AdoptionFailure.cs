using AccoReboot.Cloud.Http;
using AccoReboot.Cloud.OpenStack;
using AccoReboot.Cloud.Ovh;
using BuildEngine;

namespace AccoReboot.Infra.Resources;

/// <summary>When a failed create may still have created, and what to say when nothing of that name was found afterwards.</summary>
static class AdoptionFailure
{
    /// <summary>No answer, a server error or a conflict: the create may have happened (or happened on an earlier try).</summary>
    public static bool MayHaveCreated(Exception e) =>
        e is CloudUnreachableException
        || e is OvhApiException { IsServerError: true } or OvhApiException { IsConflict: true }
        || e is OpenStackApiException { Status: >= System.Net.HttpStatusCode.InternalServerError } or OpenStackApiException { IsConflict: true };

    public static BuildFailure Of(Exception failure, string what) =>
        failure as BuildFailure is { } known
            ? new BuildFailure($"{known.Message} (and no {what} was found afterwards: nothing was created)", failure)
            : new BuildFailure($"Creating {what} failed: {failure.Message}", failure);
}
