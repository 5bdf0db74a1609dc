using BuildEngine;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace AccoReboot.Cloud;

/// <summary>How often to look at something that takes time, and for how long at most.</summary>
sealed record PollSettings(TimeSpan Interval, TimeSpan ClusterTimeout, TimeSpan ServerTimeout)
{
    public static PollSettings Default { get; } = new(TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(40), TimeSpan.FromMinutes(30));
}

/// <summary>A wait that ran out of time: its own type, so that a caller who means "timed out" catches nothing else.</summary>
sealed class PollTimeout(string what, TimeSpan timeout)
    : BuildFailure($"Timed out after {Describe(timeout)} waiting for {what}. It may still finish: run again later.")
{
    public string What { get; } = what;
    public TimeSpan Timeout { get; } = timeout;

    public static string Describe(TimeSpan time) => time.TotalMinutes >= 1 ? $"{time.TotalMinutes:0.#} min" : $"{time.TotalSeconds:0.#} s";
}

/// <summary>
/// Waits for something to reach a state (READY, ACTIVE, gone, healthy) with Polly: a constant interval and an
/// overall timeout, both on the given clock (a test's fake clock runs a 40-minute wait in milliseconds). A failure
/// state ends the wait at once, through <c>done</c>.
/// </summary>
sealed class Poller(TimeSpan interval, TimeProvider clock, CancellationToken cancellationToken)
{
    public async Task<T> UntilAsync<T>(string what, Func<CancellationToken, Task<T>> read, Func<T, bool> done, TimeSpan timeout, Action<T>? observe = null)
    {
        var pipeline = new ResiliencePipelineBuilder<(bool done, T value)> { TimeProvider = clock }
            .AddTimeout(new TimeoutStrategyOptions { Timeout = timeout })
            .AddRetry(new RetryStrategyOptions<(bool done, T value)>
            {
                MaxRetryAttempts = int.MaxValue,
                Delay = interval,
                BackoffType = DelayBackoffType.Constant,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { done: false }),
            })
            .Build();
        try
        {
            var (_, value) = await pipeline.ExecuteAsync(async token =>
            {
                var current = await read(token);
                observe?.Invoke(current);
                return (done(current), current);
            }, cancellationToken);
            return value;
        }
        catch (TimeoutRejectedException)
        {
            throw new PollTimeout(what, timeout);
        }
    }
}
