using System.Net;
using System.Net.Sockets;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace AccoReboot.Cloud.Http;

/// <summary>
/// How long one cloud call (OVH, OpenStack, S3) may take. An attempt runs from sending the request to the last byte
/// of the answer (a server that drips its answer is cut off too); the call, all attempts and backoff together, ends
/// within <see cref="CallTimeout"/>. With the defaults a call that gets no answer fails after 30 s (README, "Bad
/// input and faults"). Tests and the sandbox shorten the delays. The deadlines and delays run on
/// <see cref="Clock"/> (the build's one clock; a test's fake clock runs them in milliseconds).
/// </summary>
sealed record RetrySettings(int MaxAttempts = 6, TimeSpan? BaseDelay = null, TimeSpan? Attempt = null, TimeSpan? Call = null, TimeProvider? Clock = null)
{
    public TimeProvider Time => Clock ?? TimeProvider.System;
    public TimeSpan Delay => BaseDelay ?? TimeSpan.FromSeconds(1);
    public TimeSpan AttemptTimeout => Attempt ?? TimeSpan.FromSeconds(15);
    public TimeSpan CallTimeout => Call ?? AttemptTimeout * 2;
    public static TimeSpan ConnectTimeout => TimeSpan.FromSeconds(5);

    public static RetrySettings Fast { get; } = new(6, TimeSpan.FromMilliseconds(20));
}

/// <summary>
/// Retries for cloud API calls (Polly): 429 and 5xx with exponential backoff and jitter, honouring Retry-After, inside
/// the deadlines of <see cref="RetrySettings"/>. A POST is retried only on 429, which the server answers without doing
/// anything: after a 5xx, a timeout or a dropped connection a create may have happened, and the resource code looks
/// it up by name instead of posting twice. What retrying cannot fix (a name that does not resolve, a TLS handshake
/// that fails) ends at once.
/// </summary>
static class HttpRetry
{
    /// <summary>One HTTP client for the process: connections are reused across calls and services.</summary>
    public static HttpClient SharedClient { get; } = new(new SocketsHttpHandler { ConnectTimeout = RetrySettings.ConnectTimeout })
    {
        Timeout = Timeout.InfiniteTimeSpan, // the deadlines are the pipeline's
    };

    public static ResiliencePipeline<HttpResponseMessage> For(bool idempotent, RetrySettings settings, Action? onRetry = null)
    {
        return new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = settings.Time }
            .AddTimeout(new TimeoutStrategyOptions { Timeout = settings.CallTimeout })
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = settings.MaxAttempts - 1,
                Delay = settings.Delay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
                {
                    { Result.StatusCode: HttpStatusCode.TooManyRequests } => true,
                    { Result: { } response } => idempotent && (int)response.StatusCode >= 500,
                    { Exception: HttpRequestException e } => idempotent && Retryable(e),
                    { Exception: TimeoutRejectedException } => idempotent,
                    _ => false,
                }),
                DelayGenerator = args =>
                {
                    var retryAfter = args.Outcome.Result?.Headers.RetryAfter?.Delta;
                    return ValueTask.FromResult(retryAfter is { } delay ? (TimeSpan?)TimeSpan.FromTicks(Math.Min(delay.Ticks, settings.Delay.Ticks * 30)) : null);
                },
                OnRetry = args =>
                {
                    args.Outcome.Result?.Dispose();
                    onRetry?.Invoke();
                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(new TimeoutStrategyOptions { Timeout = settings.AttemptTimeout })
            .Build();
    }

    /// <summary>
    /// Sends a request built afresh for each attempt and reads the whole answer within the attempt's deadline.
    /// Any failure to get an answer is a <see cref="CloudUnreachableException"/> naming the call, the endpoint and
    /// what was tried.
    /// </summary>
    public static async Task<CloudAnswer> SendAsync(HttpClient http, string call, Uri url, bool idempotent, RetrySettings settings,
        Func<HttpRequestMessage> request, CancellationToken cancellationToken)
    {
        var tries = 1;
        var clock = settings.Time;
        var started = clock.GetTimestamp();
        try
        {
            var response = await For(idempotent, settings, () => tries++).ExecuteAsync(async token =>
            {
                using var message = request();
                var answer = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, token);
                try
                {
                    await answer.Content.LoadIntoBufferAsync(token);
                }
                catch
                {
                    answer.Dispose();
                    throw;
                }
                return answer;
            }, cancellationToken);
            return new CloudAnswer(response, await response.Content.ReadAsStringAsync(CancellationToken.None), call, url);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && CloudUnreachableException.Describe(e, settings) is { } what)
        {
            // the call's deadline, not one attempt's, ended it (retries of 429 or 5xx used the time up)
            var elapsed = clock.GetElapsedTime(started);
            if (e is TimeoutRejectedException && elapsed >= settings.CallTimeout * 0.95 && tries > 1)
                what = $"no answer within the call's {settings.CallTimeout.TotalSeconds:0.#} s";
            throw new CloudUnreachableException(call, url, what, tries, elapsed, idempotent, e);
        }
    }

    private static bool Retryable(HttpRequestException e) =>
        e.HttpRequestError is not (HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError) &&
        !(e.InnerException is SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData });
}

/// <summary>A whole answer of a cloud API, read within the deadline.</summary>
sealed class CloudAnswer(HttpResponseMessage response, string text, string call, Uri url) : IDisposable
{
    public HttpResponseMessage Response => response;
    public HttpStatusCode StatusCode => response.StatusCode;
    public bool IsSuccessStatusCode => response.IsSuccessStatusCode;
    public string Text => text;

    /// <summary>
    /// The answer read as the API's JSON; an answer that is not JSON (an HTML page from a proxy or a wrong endpoint,
    /// an empty body) is one line naming the endpoint, not a parser's stack trace.
    /// </summary>
    public T Deserialize<T>(System.Text.Json.JsonSerializerOptions options)
    {
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<T>(text, options)!;
        }
        catch (System.Text.Json.JsonException)
        {
            throw Unexpected();
        }
    }

    public System.Text.Json.Nodes.JsonNode? Node()
    {
        try
        {
            return System.Text.Json.Nodes.JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
            throw Unexpected();
        }
    }

    public BuildEngine.BuildFailure Unexpected()
    {
        var type = response.Content.Headers.ContentType?.MediaType ?? "no content type";
        var body = text.Trim().Length == 0 ? "an empty body" : $"{type}: \"{Shorten(text)}\"";
        return new BuildEngine.BuildFailure($"{call}: {url.GetLeftPart(UriPartial.Authority)} answered {(int)response.StatusCode} with {body}, not the JSON of the API. Check the endpoint in the profile (a proxy or a wrong URL answers like this).");
    }

    private static string Shorten(string text)
    {
        var line = string.Join(' ', text.Split((char[])['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)).Trim();
        return line.Length > 80 ? line[..80] + "…" : line;
    }

    public void Dispose() => response.Dispose();
}
