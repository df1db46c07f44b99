using System.Collections.Concurrent;
using System.Globalization;
using Xinfra.Client.Tests.Support;

namespace Xinfra.Client.Tests.Migration;

/// <summary>
/// Exactly-once delivery and per-key order across migration phase flips, forward and back, with two producers
/// writing continuously and a consumer group of two members (in-memory clusters: source 2 partitions, target 4).
/// </summary>
public sealed class CutoverTests
{
    private static XinfraOptions Options(string phase) => TestHost.Options(TestHost.Migrating(phase));

    private sealed class Scenario(TestHost host) : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stopProducing = new();
        private readonly CancellationTokenSource _stopConsuming = new(TimeSpan.FromSeconds(120));
        private readonly List<Task> _producers = [];
        private readonly List<Task> _members = [];

        public ConcurrentDictionary<string, int> Acked { get; } = new();

        public ConcurrentQueue<(string Member, string Key, int Seq, string Cluster)> Delivered { get; } = new();

        public void StartProducer(string name)
        {
            _producers.Add(Task.Run(async () =>
            {
                await using var producer = host.Client.CreateProducer<string, string>("orders");
                var seq = new int[4];
                for (var i = 0; !_stopProducing.IsCancellationRequested; i++)
                {
                    var key = $"{name}{i % 4}";
                    var value = $"{key}:{seq[i % 4]}";
                    await producer.ProduceAsync(key, value);
                    Acked[value] = 1;
                    seq[i % 4]++;
                    await Task.Delay(1);
                }
            }));
        }

        public void StartMember(string name)
        {
            _members.Add(Task.Run(async () =>
            {
                await using var consumer = host.Client.CreateConsumer<string, string>("orders", new ConsumerOptions<string, string>
                {
                    GroupId = "billing",
                    CommitInterval = TimeSpan.FromMilliseconds(20),
                });
                try
                {
                    await foreach (var result in consumer.ConsumeAsync(_stopConsuming.Token))
                    {
                        var colon = result.Value!.IndexOf(':', StringComparison.Ordinal);
                        Delivered.Enqueue((name, result.Key!, int.Parse(result.Value.AsSpan(colon + 1), CultureInfo.InvariantCulture), result.Cluster));
                    }
                }
                catch (OperationCanceledException)
                {
                }
            }));
        }

        public Task WaitForMoreAsync(int more, string what)
        {
            var target = Delivered.Count + more;
            return Eventually.TrueAsync(() => Delivered.Count >= target, what, seconds: 60);
        }

        public async Task StopProducersAsync()
        {
            await _stopProducing.CancelAsync();
            await Task.WhenAll(_producers);
        }

        public async Task DrainAsync()
        {
            await Eventually.TrueAsync(() => Delivered.Select(d => $"{d.Key}:{d.Seq}").ToHashSet().IsSupersetOf(Acked.Keys), "every acknowledged record is delivered", seconds: 60);
            await Task.Delay(300);
            await _stopConsuming.CancelAsync();
            await Task.WhenAll(_members);
        }

        public async ValueTask DisposeAsync()
        {
            await _stopProducing.CancelAsync();
            await _stopConsuming.CancelAsync();
            await Task.WhenAll(_producers.Concat(_members)).ContinueWith(_ => { }, TaskScheduler.Default);
            _stopProducing.Dispose();
            _stopConsuming.Dispose();
        }
    }

    [Fact]
    public async Task FlipsForwardAndBack_WhileProducing_DeliverEveryRecordOnceInKeyOrder()
    {
        await using var host = TestHost.FromJson(TestHost.Migrating("SourceOnly"));
        await FlipsForwardAndBackAsync(host, TestHost.Migrating);
    }

    /// <summary>
    /// Regression: the rollback barrier saw "no member left on the target" with positions read before the last
    /// member's final commit (Northguard answered positions and member count from separate calls, positions first), so
    /// the cut missed records that member had delivered and they came again from the source — the cross-epoch duplicate
    /// seen with two Northguard members. The barrier now takes the positions from a describe issued after it saw zero.
    /// </summary>
    [Fact]
    public async Task Rollback_OnATargetThatReadsPositionsBeforeCountingMembers_IsStillExact()
    {
        static string Json(string phase) => TestHost.Migrating(phase).Replace("\"Kind\": \"InMemory\", \"Bootstrap\": \"new-1\"", "\"Kind\": \"Northguard\", \"Bootstrap\": \"new-1\"", StringComparison.Ordinal);
        await using var host = TestHost.FromJson(Json("SourceOnly"), b => b.AddTransport<StaleGroupDescriptionFactory>());
        await FlipsForwardAndBackAsync(host, Json);
    }

    private static async Task FlipsForwardAndBackAsync(TestHost host, Func<string, string> json)
    {
        await using var scenario = new Scenario(host);
        scenario.StartProducer("a");
        scenario.StartProducer("b");
        scenario.StartMember("m1");
        scenario.StartMember("m2");

        await scenario.WaitForMoreAsync(100, "reading the source");
        foreach (var (phase, cluster) in new[]
        {
            ("DualWriteReadSource", "old"),
            ("DualWriteReadTarget", "new"),
            ("DualWriteReadSource", "old"),
            ("DualWriteReadTarget", "new"),
            ("TargetOnly", "new"),
        })
        {
            Assert.True(host.Configuration.TryApply(TestHost.Options(json(phase)), out var errors), errors);
            await Eventually.TrueAsync(() => scenario.Delivered.TakeLast(20).Count(d => d.Cluster == cluster) == 20, $"members read {cluster} in {phase}", seconds: 60);
            await scenario.WaitForMoreAsync(100, $"progress in {phase}");
        }

        await scenario.StopProducersAsync();
        await scenario.DrainAsync();

        var delivered = scenario.Delivered.ToList();
        var duplicates = delivered.GroupBy(d => $"{d.Key}:{d.Seq}").Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicates.Count == 0, $"delivered twice: {string.Join(", ", duplicates.Take(10))}");
        Assert.Equal(scenario.Acked.Count, delivered.Count);
        foreach (var perKey in delivered.GroupBy(d => d.Key))
        {
            var sequence = perKey.Select(d => d.Seq).ToList();
            Assert.Equal(Enumerable.Range(0, sequence.Count), sequence);
        }

        Assert.Contains(delivered, d => d.Member == "m1");
        Assert.Contains(delivered, d => d.Member == "m2");
    }

    [Fact]
    public async Task FlipToTarget_BeforeTheGroupReadTheSingleWrittenTail_DefersUntilItHas()
    {
        await using var host = TestHost.FromJson(TestHost.Migrating("SourceOnly"));
        await using var producer = host.Client.CreateProducer<string, string>("orders");
        var next = 0;
        async Task ProduceAsync(int count)
        {
            for (var i = 0; i < count; i++, next++)
            {
                await producer.ProduceAsync("k", $"k:{next}");
            }
        }

        await ProduceAsync(200);
        Assert.True(host.Configuration.TryApply(Options("DualWriteReadSource"), out _));
        await ProduceAsync(50);
        Assert.True(host.Configuration.TryApply(Options("DualWriteReadTarget"), out _));

        // A group that has read nothing: 200 records exist on the source only, so it must read them there first.
        await using var consumer = host.Client.CreateConsumer<string, string>("orders", new ConsumerOptions<string, string>
        {
            GroupId = "late",
            CommitInterval = TimeSpan.FromMilliseconds(10),
            CutoverRetryInterval = TimeSpan.FromMilliseconds(200),
        });
        var read = new List<(int Seq, string Cluster)>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var producing = Task.Run(async () =>
        {
            while (!timeout.IsCancellationRequested && read.Count < 300)
            {
                await ProduceAsync(1);
                await Task.Delay(5);
            }
        });
        await foreach (var result in consumer.ConsumeAsync(timeout.Token))
        {
            lock (read)
            {
                read.Add((int.Parse(result.Value!.Split(':')[1], CultureInfo.InvariantCulture), result.Cluster));
            }

            if (read.Count >= 300 && result.Cluster == "new")
            {
                break;
            }
        }

        await timeout.CancelAsync();
        await producing.ContinueWith(_ => { }, TaskScheduler.Default);
        Assert.Equal(Enumerable.Range(0, read.Count), read.Select(r => r.Seq));
        Assert.All(read.Take(200), r => Assert.Equal("old", r.Cluster));
        Assert.Equal("new", read[^1].Cluster);
    }
}
