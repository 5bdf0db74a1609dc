using System.Net;
using AccoReboot.Cloud;
using AccoReboot.Cloud.Http;
using AccoReboot.Cloud.OpenStack;
using Microsoft.Extensions.Time.Testing;

namespace Tests.Cloud;

/// <summary>
/// Time in the tests' hands: the build's waits, deadlines and token lifetimes run on a TimeProvider, so a fake clock
/// plays 40 minutes of polling or a token's hour in milliseconds, and the outcome is exact rather than "about".
/// </summary>
[Trait("Category", "Unit")]
public class ClockTests
{
    /// <summary>Advances the fake clock by <paramref name="step"/> until <paramref name="work"/> ends (each step lets its timers fire).</summary>
    private static async Task<T> RunAsync<T>(FakeTimeProvider clock, TimeSpan step, Task<T> work)
    {
        for (var i = 0; i < 100_000 && !work.IsCompleted; i++)
        {
            await Task.Delay(1);
            clock.Advance(step);
        }
        return await work;
    }

    [Fact]
    public async Task A_forty_minute_wait_times_out_on_its_clock_with_its_own_type()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-01T00:00:00Z"));
        var reads = 0;
        var poller = new Poller(TimeSpan.FromSeconds(5), clock, CancellationToken.None);
        var wait = poller.UntilAsync("the cluster to be READY", _ => Task.FromResult(++reads), _ => false, TimeSpan.FromMinutes(40));
        var started = DateTime.UtcNow;
        var timeout = await Assert.ThrowsAsync<PollTimeout>(() => RunAsync(clock, TimeSpan.FromSeconds(5), wait));
        Assert.Equal("Timed out after 40 min waiting for the cluster to be READY. It may still finish: run again later.", timeout.Message);
        // one read every 5 s over 40 min
        Assert.InRange(reads, 470, 482);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20), "the fake clock did the waiting");
    }

    [Fact]
    public async Task A_wait_that_is_done_returns_at_once_without_waiting_the_interval()
    {
        var clock = new FakeTimeProvider();
        var poller = new Poller(TimeSpan.FromMinutes(5), clock, CancellationToken.None);
        Assert.Equal("READY", await poller.UntilAsync("x", _ => Task.FromResult("READY"), s => s == "READY", TimeSpan.FromMinutes(1)));
    }

    private sealed class Handler(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> answer) : HttpMessageHandler
    {
        public int Calls;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            return answer(request, cancellationToken);
        }
    }

    [Fact]
    public async Task A_server_that_never_answers_ends_at_the_calls_deadline_on_the_clock()
    {
        var clock = new FakeTimeProvider();
        var handler = new Handler(async (_, token) =>
        {
            await Task.Delay(Timeout.Infinite, token);
            throw new InvalidOperationException("unreachable");
        });
        var settings = new RetrySettings(BaseDelay: TimeSpan.FromSeconds(1), Clock: clock);
        var call = HttpRetry.SendAsync(new HttpClient(handler), "OVH API GET /cloud/project", new Uri("https://eu.api.ovh.com/1.0/cloud/project"), idempotent: true,
            settings, () => new HttpRequestMessage(HttpMethod.Get, "https://eu.api.ovh.com/1.0/cloud/project"), CancellationToken.None);
        var failure = await Assert.ThrowsAsync<CloudUnreachableException>(() => RunAsync(clock, TimeSpan.FromMilliseconds(500), call));
        Assert.Contains("no answer within the call's 30 s", failure.Message);
        Assert.Contains("eu.api.ovh.com", failure.Message);
        // attempts of 15 s each within a call of 30 s: two, the second cut short by the call's deadline
        Assert.Equal(2, handler.Calls);
    }

    private static HttpResponseMessage TokenAnswer(DateTimeOffset expires)
    {
        var answer = new HttpResponseMessage(HttpStatusCode.Created)
        {
            Content = new StringContent("{\"token\": {\"expires_at\": \"" + expires.ToString("O") + "\", \"catalog\": []}}", System.Text.Encoding.UTF8, "application/json"),
        };
        answer.Headers.Add("X-Subject-Token", "token-" + expires.ToUnixTimeSeconds());
        return answer;
    }

    [Fact]
    public async Task A_keystone_token_is_reused_until_five_minutes_before_it_expires()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-01T00:00:00Z"));
        var handler = new Handler((_, _) => Task.FromResult(TokenAnswer(clock.GetUtcNow().AddHours(1))));
        var keystone = new Keystone(new HttpClient(handler), new Uri("https://auth.cloud.ovh.net/v3"), new OpenStackCredentials("user", "password", "project"), "GRA11",
            clock, new RetrySettings(Clock: clock));
        var first = await keystone.TokenAsync(CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(54));
        Assert.Equal(first, await keystone.TokenAsync(CancellationToken.None));
        Assert.Equal(1, handler.Calls);
        clock.Advance(TimeSpan.FromMinutes(2));
        var renewed = await keystone.TokenAsync(CancellationToken.None);
        Assert.NotEqual(first, renewed);
        Assert.Equal(2, handler.Calls);
    }
}
