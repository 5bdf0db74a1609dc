using Amazon.S3;
using AccoReboot.Sandbox.Emulator;
using AccoReboot.State;
using BuildEngine;
using Tests.Support;

namespace Tests.State;

[Trait("Category", "Integration")]
public class StateStoreTests
{
    private static StateDocument Sample(string environment = "test", long serial = 1) => new()
    {
        Environment = environment,
        Serial = serial,
        Outputs = new EnvironmentOutputs { InstanceId = "id-1", Ipv4 = "203.0.113.10" },
    };

    private static async Task<(Emulator emulator, S3StateStore store)> OnEmulatorAsync(EmulatorOptions? options = null)
    {
        var emulator = await Emulator.StartAsync(options);
        emulator.Cloud.World.S3.CreateBucket("accoreboot-state-test", versioning: true);
        var location = new StateLocation(new Uri(emulator.Cloud.S3Url), "gra", "accoreboot-state-test", "test");
        return (emulator, new S3StateStore(S3StateStore.Client(location, emulator.Options.S3AccessKey, "any-secret"), location, TimeProvider.System));
    }

    [Fact]
    public async Task The_state_round_trips_and_each_write_is_a_new_version()
    {
        var (emulator, store) = await OnEmulatorAsync();
        await using var _ = emulator;
        Assert.Null(await store.ReadAsync(default));
        var etag = await store.WriteAsync(Sample(), null, default);
        var read = await store.ReadAsync(default);
        Assert.Equal("203.0.113.10", read!.Document.Outputs.Ipv4);
        await store.WriteAsync(Sample(serial: 2), read.ETag, default);
        Assert.Equal(2, emulator.Cloud.World.S3.VersionCount("accoreboot-state-test", "test/state.json"));
        Assert.NotEqual(etag, (await store.ReadAsync(default))!.ETag);
    }

    [Fact]
    public async Task A_store_made_before_its_keys_are_decrypted_signs_its_first_request_when_they_are()
    {
        await using var emulator = await Emulator.StartAsync();
        emulator.Cloud.World.S3.CreateBucket("accoreboot-state-test", versioning: true);
        var location = new StateLocation(new Uri(emulator.Cloud.S3Url), "gra", "accoreboot-state-test", "test");
        var keys = new TaskCompletionSource<(string, string)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var store = new S3StateStore(S3StateStore.Client(location, new DeferredS3Credentials(keys.Task)), location, TimeProvider.System);

        var writing = store.WriteAsync(Sample(serial: 3), null, default);
        await Task.Delay(200);
        Assert.False(writing.IsCompleted); // waits for the keys, unsigned requests are never sent
        keys.SetResult((emulator.Options.S3AccessKey, "any-secret"));
        await writing;
        Assert.Equal(3, (await store.ReadAsync(default))!.Document.Serial);
    }

    [Fact]
    public async Task Keys_that_cannot_be_decrypted_fail_the_request_with_their_own_message()
    {
        await using var emulator = await Emulator.StartAsync();
        var location = new StateLocation(new Uri(emulator.Cloud.S3Url), "gra", "accoreboot-state-test", "test");
        var keys = Task.FromException<(string, string)>(new BuildFailure("credentials/common.enc.env: no age identity opens it."));
        var store = new S3StateStore(S3StateStore.Client(location, new DeferredS3Credentials(keys)), location, TimeProvider.System);

        var failure = await Assert.ThrowsAsync<BuildFailure>(() => store.ReadAsync(default));
        Assert.Equal("credentials/common.enc.env: no age identity opens it.", failure.Message);
    }

    [Fact]
    public async Task A_write_based_on_a_stale_read_is_refused()
    {
        var (emulator, store) = await OnEmulatorAsync();
        await using var _ = emulator;
        var first = await store.WriteAsync(Sample(), null, default);
        await store.WriteAsync(Sample(serial: 2), first, default);
        var failure = await Assert.ThrowsAsync<BuildFailure>(() => store.WriteAsync(Sample(serial: 3), first, default));
        Assert.Contains("changed since this run read it", failure.Message);
        Assert.Equal(2, (await store.ReadAsync(default))!.Document.Serial);
    }

    [Fact]
    public async Task A_first_write_does_not_overwrite_a_state_that_appeared_meanwhile()
    {
        var (emulator, store) = await OnEmulatorAsync();
        await using var _ = emulator;
        await store.WriteAsync(Sample(serial: 7), null, default);
        await Assert.ThrowsAsync<BuildFailure>(() => store.WriteAsync(Sample(serial: 1), null, default));
        Assert.Equal(7, (await store.ReadAsync(default))!.Document.Serial);
    }

    [Fact]
    public async Task A_held_lock_names_its_holder_and_force_unlock_takes_it()
    {
        var (emulator, store) = await OnEmulatorAsync();
        await using var _ = emulator;
        // a lock held by a live process of another host
        await emulator.Cloud.World.S3.PutAsync("accoreboot-state-test", "test/state.lock", System.Text.Encoding.UTF8.GetBytes(
            new StateLockInfo("x", "alice@laptop", "laptop", 4242, "Apply", DateTimeOffset.UtcNow.AddMinutes(-3)).Serialize()), null, false, TimeSpan.Zero);
        var failure = await Assert.ThrowsAsync<BuildFailure>(() => store.AcquireLockAsync("Apply", "bob@ci", force: false, default));
        Assert.Contains("locked by alice@laptop on laptop (pid 4242, Apply, since", failure.Message);
        Assert.Contains("3 min ago", failure.Message);
        Assert.Contains("--force-unlock", failure.Message);
        var held = await store.AcquireLockAsync("Apply", "bob@ci", force: true, default);
        Assert.Equal("bob@ci", (await store.CurrentLockAsync(default))!.Who);
        await store.ReleaseLockAsync(held, default);
        Assert.Null(await store.CurrentLockAsync(default));
    }

    [Fact]
    public async Task A_lock_left_by_a_dead_process_of_this_host_is_taken_over()
    {
        var (emulator, store) = await OnEmulatorAsync();
        await using var _ = emulator;
        using var dead = System.Diagnostics.Process.Start("true")!;
        dead.WaitForExit();
        await emulator.Cloud.World.S3.PutAsync("accoreboot-state-test", "test/state.lock", System.Text.Encoding.UTF8.GetBytes(
            new StateLockInfo("x", "me", System.Net.Dns.GetHostName(), dead.Id, "Apply", DateTimeOffset.UtcNow).Serialize()), null, false, TimeSpan.Zero);
        var held = await store.AcquireLockAsync("Apply", "me-again", force: false, default);
        Assert.Equal("me-again", held.Info.Who);
    }

    [Fact]
    public async Task Among_many_concurrent_lockers_exactly_one_wins_at_a_time()
    {
        var (emulator, store) = await OnEmulatorAsync(new EmulatorOptions { S3WriteLatency = TimeSpan.FromMilliseconds(5) });
        await using var _ = emulator;
        var inside = 0;
        var maxInside = 0;
        var entered = 0;
        var tasks = Enumerable.Range(0, 24).Select(i => Task.Run(async () =>
        {
            for (var attempt = 0; attempt < 400; attempt++)
            {
                HeldLock held;
                try
                {
                    held = await store.AcquireLockAsync("Apply", $"writer-{i}", force: false, default);
                }
                catch (BuildFailure)
                {
                    await Task.Delay(5);
                    continue;
                }
                var now = Interlocked.Increment(ref inside);
                InterlockedMax(ref maxInside, now);
                Interlocked.Increment(ref entered);
                await Task.Delay(2);
                Interlocked.Decrement(ref inside);
                await store.ReleaseLockAsync(held, default);
                return;
            }
            throw new TimeoutException($"writer-{i} never got the lock");
        })).ToList();
        await Task.WhenAll(tasks);
        Assert.Equal(24, entered);
        Assert.Equal(1, maxInside);
    }

    [Fact]
    public async Task Concurrent_read_modify_write_cycles_lose_no_update()
    {
        var (emulator, store) = await OnEmulatorAsync(new EmulatorOptions { S3WriteLatency = TimeSpan.FromMilliseconds(3) });
        await using var _ = emulator;
        await store.WriteAsync(Sample(serial: 0), null, default);
        var succeeded = 0;
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 5; i++)
            {
                while (true)
                {
                    var read = (await store.ReadAsync(default))!;
                    try
                    {
                        await store.WriteAsync(read.Document with { Serial = read.Document.Serial + 1 }, read.ETag, default);
                        Interlocked.Increment(ref succeeded);
                        break;
                    }
                    catch (BuildFailure)
                    {
                    }
                }
            }
        })));
        Assert.Equal(80, succeeded);
        Assert.Equal(80, (await store.ReadAsync(default))!.Document.Serial);
    }

    [Fact]
    public async Task A_held_lock_says_how_old_it_is_on_the_stores_clock()
    {
        var (emulator, _) = await OnEmulatorAsync();
        await using var __ = emulator;
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.Parse("2026-12-01T08:00:00Z"));
        var location = new StateLocation(new Uri(emulator.Cloud.S3Url), "gra", "accoreboot-state-test", "test");
        S3StateStore Store() => new(S3StateStore.Client(location, emulator.Options.S3AccessKey, "any-secret"), location, clock, new AccoReboot.Cloud.Http.RetrySettings(Clock: clock));
        await Store().AcquireLockAsync("Apply", "alice@laptop", force: false, default);
        clock.Advance(TimeSpan.FromHours(2.5));
        // this very process holds it: alive, so not stale whatever its age; its age is the clock's, not the wall's
        var failure = await Assert.ThrowsAsync<BuildFailure>(() => Store().AcquireLockAsync("Deploy", "bob@ci", force: false, default));
        Assert.Contains("Apply, since 2026-12-01 08:00 UTC, 2.5 h ago)", failure.Message);
        Assert.Contains("--force-unlock", failure.Message);
    }

    [Fact]
    public async Task A_state_written_by_a_newer_version_is_refused()
    {
        var (emulator, store) = await OnEmulatorAsync();
        await using var _ = emulator;
        await emulator.Cloud.World.S3.PutAsync("accoreboot-state-test", "test/state.json", System.Text.Encoding.UTF8.GetBytes("{\"format\": 3, \"environment\": \"test\"}"), null, false, TimeSpan.Zero);
        var failure = await Assert.ThrowsAsync<BuildFailure>(() => store.ReadAsync(default));
        Assert.Contains("written by a newer version of this build (state format 3", failure.Message);
    }

    [Fact]
    public async Task Wrong_s3_keys_are_one_clear_line()
    {
        await using var emulator = await Emulator.StartAsync();
        emulator.Cloud.World.S3.CreateBucket("accoreboot-state-test", versioning: true);
        var location = new StateLocation(new Uri(emulator.Cloud.S3Url), "gra", "accoreboot-state-test", "test");
        var store = new S3StateStore(S3StateStore.Client(location, "wrong-key", "x"), location, TimeProvider.System);
        var failure = await Assert.ThrowsAsync<BuildFailure>(() => store.ReadAsync(default));
        Assert.Contains("S3 refused to read the state in bucket accoreboot-state-test (InvalidAccessKeyId", failure.Message);
    }

    [Fact]
    public async Task The_state_goes_over_the_wire_of_a_real_s3_server_uncorrupted()
    {
        using var s3rver = new S3rver();
        var location = new StateLocation(s3rver.Endpoint, "gra", "accoreboot-state-test", "test");
        using var client = S3StateStore.Client(location, S3rver.AccessKey, S3rver.SecretKey);
        await client.PutBucketAsync("accoreboot-state-test");
        var store = new S3StateStore(client, location, TimeProvider.System);
        await store.WriteAsync(Sample(), null, default);
        var read = await store.ReadAsync(default);
        Assert.Equal("203.0.113.10", read!.Document.Outputs.Ipv4);
        Assert.True(await store.BucketExistsAsync(default));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current) { }
    }
}
