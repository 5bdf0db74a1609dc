using System.Net;
using Polly;
using Polly.Retry;

namespace AccoReboot.Cloud.Http;

/// <summary>How often and how long to retry transient HTTP failures (tests and the sandbox shorten the delays).</summary>
sealed record RetrySettings(int MaxAttempts = 6, TimeSpan? BaseDelay = null)
{
    public TimeSpan Delay => BaseDelay ?? TimeSpan.FromSeconds(1);

    public static RetrySettings Fast { get; } = new(6, TimeSpan.FromMilliseconds(20));
}

/// <summary>
/// Retries for cloud API calls (Polly): 429 and 5xx with exponential backoff and jitter, honouring Retry-After.
/// A POST is retried only on 429, which the server answers without doing anything: after a 5xx or a dropped
/// connection a create may have happened, and the resource code looks it up by name instead of posting twice.
/// </summary>
static class HttpRetry
{
    public static ResiliencePipeline<HttpResponseMessage> For(HttpMethod method, RetrySettings settings) =>
        For(idempotent: method != HttpMethod.Post, settings);

    public static ResiliencePipeline<HttpResponseMessage> For(bool idempotent, RetrySettings settings)
    {
        return new ResiliencePipelineBuilder<HttpResponseMessage>()
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
                    { Exception: HttpRequestException } => idempotent,
                    { Exception: TaskCanceledException } when idempotent => !args.Context.CancellationToken.IsCancellationRequested,
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
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }
}
