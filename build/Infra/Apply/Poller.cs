using BuildEngine;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace AccoReboot.Infra.Apply;

/// <summary>
/// Waits for a cloud resource to reach a state (READY, ACTIVE, gone) with Polly: a constant interval and an
/// overall timeout. A failure state ends the wait at once.
/// </summary>
sealed class Poller(TimeSpan interval, CancellationToken cancellationToken)
{
    public async Task<T> UntilAsync<T>(string what, Func<CancellationToken, Task<T>> read, Func<T, bool> done, TimeSpan timeout, Action<T>? observe = null)
    {
        var pipeline = new ResiliencePipelineBuilder<(bool done, T value)>()
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
            throw new BuildFailure($"Timed out after {timeout.TotalMinutes:0.#} min waiting for {what}. It may still finish: run again later.");
        }
    }
}
