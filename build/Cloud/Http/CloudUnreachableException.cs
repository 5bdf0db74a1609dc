using BuildEngine;

namespace AccoReboot.Cloud.Http;

/// <summary>
/// No answer from a cloud API (connection refused or dropped, timeout) after the retries. For a POST the request
/// may have been carried out: callers that create look the resource up by name before trying again.
/// </summary>
sealed class CloudUnreachableException(string call, Exception inner)
    : BuildFailure($"{call}: no answer ({inner.Message}). Check the network, then run again: it resumes where it stopped.", inner);
