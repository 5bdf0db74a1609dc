using System.Net.Http;
using System.Net.Sockets;
using System.Security.Authentication;
using BuildEngine;
using Polly.Timeout;

namespace AccoReboot.Cloud.Http;

/// <summary>
/// No answer from a cloud API (connection refused or dropped, timeout, DNS, TLS) after the retries, in one line
/// naming the call, the endpoint and what was tried. For a POST the request may have been carried out: callers that
/// create look the resource up by name before trying again.
/// </summary>
sealed class CloudUnreachableException : BuildFailure
{
    public CloudUnreachableException(string call, Uri url, string what, int tries, TimeSpan elapsed, bool idempotent, Exception inner)
        : base($"{call}: {what} from {url.GetLeftPart(UriPartial.Authority)} ({Tried(tries, elapsed, idempotent)}). " +
            "Check the network and the endpoint, then run again: it resumes where it stopped.", inner)
    {
    }

    private static string Tried(int tries, TimeSpan elapsed, bool idempotent) =>
        tries <= 0 ? $"{elapsed.TotalSeconds:0.#} s with retries"
        : tries == 1
            ? idempotent ? $"1 try, {elapsed.TotalSeconds:0.#} s" : $"1 try, {elapsed.TotalSeconds:0.#} s; a create is not sent twice"
            : $"{tries} tries in {elapsed.TotalSeconds:0.#} s";

    /// <summary>What went wrong, in words; null when the exception is not a failure to get an answer.</summary>
    public static string? Describe(Exception e, RetrySettings settings) => e switch
    {
        TimeoutRejectedException => $"no whole answer within {settings.AttemptTimeout.TotalSeconds:0.#} s",
        OperationCanceledException => $"no answer within {settings.CallTimeout.TotalSeconds:0.#} s",
        HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } => "the host name does not resolve (DNS)",
        HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } h => $"the TLS handshake failed ({Innermost(h)})",
        HttpRequestException { InnerException: AuthenticationException } h => $"the TLS handshake failed ({Innermost(h)})",
        HttpRequestException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionRefused } } => "connection refused",
        HttpRequestException { InnerException: SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData } } => "the host name does not resolve (DNS)",
        HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded } => "the connection closed before an answer",
        HttpRequestException { HttpRequestError: HttpRequestError.InvalidResponse } => "the answer is not HTTP",
        HttpRequestException h => $"no answer ({Innermost(h)})",
        System.IO.IOException io => $"the connection broke while reading the answer ({Innermost(io)})",
        _ => null,
    };

    private static string Innermost(Exception e)
    {
        while (e.InnerException != null) e = e.InnerException;
        return e.Message.Split('\n')[0].TrimEnd('.');
    }
}
