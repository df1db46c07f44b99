using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xinfra.IntegrationTests.Northguard;
using Xinfra.Routing;

namespace Xinfra.IntegrationTests.Migration;

/// <summary>
/// A topic moves off Kafka (librdkafka's mock cluster) while two producers write and a group of two members reads;
/// the phase is flipped forward and back; every acknowledged record is delivered once, in key order.
/// </summary>
public sealed class KafkaMigrationTests(KafkaMockFixture kafka, EmbeddedNorthguardFixture northguard)
    : IClassFixture<KafkaMockFixture>, IClassFixture<EmbeddedNorthguardFixture>
{
    private string _target = "InMemory";

    private string TargetCluster(string topic) => _target == "Northguard"
        ? $$"""{ "Kind": "Northguard", "Bootstrap": "{{northguard.Cluster.Bootstrap}}", "DefaultPartitions": 4 }"""
        : $$"""{ "Kind": "InMemory", "Bootstrap": "next-{{topic}}", "DefaultPartitions": 4 }""";

    private string Json(string phase, string topic) => $$"""
        {
          "Xinfra": {
            "ApplicationId": "migration-it",
            "Clusters": {
              "kafka": { "Kind": "Kafka", "Bootstrap": "{{kafka.Bootstrap}}", "DefaultPartitions": 3, "Settings": {{kafka.SettingsJson}} },
              "next": {{TargetCluster(topic)}}
            },
            "Topics": {
              "orders": { "Epochs": [ { "Cluster": "kafka", "Topic": "{{topic}}" }, { "Cluster": "next", "Topic": "{{topic}}" } ], "Phase": "{{phase}}" }
            }
          }
        }
        """;

    private static XinfraOptions Options(string json)
    {
        var options = new XinfraOptions();
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build().GetSection("Xinfra").Bind(options);
        return options;
    }

    [Fact]
    public Task KafkaToInMemory_FlipsForwardAndBack_EveryRecordOnceInKeyOrder() => RunAsync("InMemory", members: 2);

    [Fact]
    public Task KafkaToNorthguard_FlipsForwardAndBack_EveryRecordOnceInKeyOrder() => RunAsync("Northguard", members: 2);

    private async Task RunAsync(string target, int members)
    {
        _target = target;
        var topic = $"orders-{Guid.NewGuid():N}"[..20];
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(Json("SourceOnly", topic)))).Build();
        var services = new ServiceCollection();
        var logs = new LogLines();
        services.AddLogging(l => l.AddProvider(logs).SetMinimumLevel(LogLevel.Information));
        services.AddXinfra(configuration.GetSection("Xinfra")).AddKafka().AddInMemory().AddNorthguard();
        await using var provider = services.BuildServiceProvider();
        var xinfra = provider.GetRequiredService<IXinfraClient>();
        var monitor = provider.GetRequiredService<XinfraConfigurationMonitor>();

        var acked = new ConcurrentDictionary<string, byte>();
        var abandonedCommits = 0;
        long clock = 0;   // orders deliveries and refused commits: a repeat must follow a refusal of its first delivery's commit
        var abandonedAt = new ConcurrentQueue<long>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "xinfra.consume.commit_failures")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "outcome" && (string?)tag.Value == "abandoned")
                {
                    Interlocked.Increment(ref abandonedCommits);
                    abandonedAt.Enqueue(Interlocked.Increment(ref clock));
                }
            }
        });
        listener.Start();
        var delivered = new ConcurrentQueue<(string Key, int Seq, string Cluster, long At)>();
        var trace = new ConcurrentQueue<string>();
        using var stopProducing = new CancellationTokenSource();
        using var stopConsuming = new CancellationTokenSource(TimeSpan.FromMinutes(3));

        var producers = new[] { "a", "b" }.Select(name => Task.Run(async () =>
        {
            await using var producer = xinfra.CreateProducer<string, string>("orders");
            var seq = new int[3];
            for (var i = 0; !stopProducing.IsCancellationRequested; i++)
            {
                var key = $"{name}{i % 3}";
                var value = $"{key}:{seq[i % 3]}";
                await producer.ProduceAsync(key, value);
                acked[value] = 0;
                seq[i % 3]++;
                await Task.Delay(5);
            }
        })).ToList();

        var consumers = Enumerable.Range(1, members).Select(n => $"m{n}").Select(name => Task.Run(async () =>
        {
            await using var consumer = xinfra.CreateConsumer<string, string>("orders", new ConsumerOptions<string, string>
            {
                GroupId = "billing-" + topic,
                CommitInterval = TimeSpan.FromMilliseconds(100),
                CutoverQuietPeriod = TimeSpan.FromSeconds(6),
                CutoverRetryInterval = TimeSpan.FromMilliseconds(500),
            });
            try
            {
                await foreach (var result in consumer.ConsumeAsync(stopConsuming.Token))
                {
                    var colon = result.Value!.IndexOf(':', StringComparison.Ordinal);
                    delivered.Enqueue((result.Key!, int.Parse(result.Value.AsSpan(colon + 1), CultureInfo.InvariantCulture), result.Cluster, Interlocked.Increment(ref clock)));
                    trace.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {name} {result.Value}@{result.Cluster}");
                }
            }
            catch (OperationCanceledException)
            {
            }
        })).ToList();

        async Task WaitAsync(Func<bool> condition, string what)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            while (!condition())
            {
                Assert.False(timeout.IsCancellationRequested, $"timed out waiting for: {what} (delivered {delivered.Count}, acked {acked.Count})");
                await Task.Delay(50);
            }
        }

        await WaitAsync(() => delivered.Count >= 50, "reading Kafka");
        foreach (var (phase, cluster) in new[] { ("DualWriteReadSource", "kafka"), ("DualWriteReadTarget", "next"), ("DualWriteReadSource", "kafka"), ("DualWriteReadTarget", "next") })
        {
            Assert.True(monitor.TryApply(Options(Json(phase, topic)), out var errors), errors);
            logs.Note($"flip to {phase}");
            await WaitAsync(() => delivered.TakeLast(10).All(d => d.Cluster == cluster) && delivered.Count(d => d.Cluster == cluster) >= 10, $"reading {cluster} in {phase}");
            var count = delivered.Count;
            await WaitAsync(() => delivered.Count >= count + 30, $"progress in {phase}");
        }

        await stopProducing.CancelAsync();
        await Task.WhenAll(producers);
        await WaitAsync(() => delivered.Select(d => $"{d.Key}:{d.Seq}").ToHashSet().IsSupersetOf(acked.Keys), "every acknowledged record delivered");
        await Task.Delay(500);
        await stopConsuming.CancelAsync();
        await Task.WhenAll(consumers);

        var all = delivered.ToList();
        var repeated = all.GroupBy(d => $"{d.Key}:{d.Seq}").Where(g => g.Count() > 1).ToList();

        // Never twice across epochs, unless a commit was refused for good after the first delivery and before the
        // other epoch's (the commit_failures contract: records processed since the last commit are delivered again,
        // from whichever epoch the group reads next; a refused revoke commit just before a flip does that). Any other
        // cross-epoch repeat is a cutover bug. (docs/design/migration.md, "Open: a revoke commit refused for good".)
        var refusals = abandonedAt.ToList();
        bool RefusalBetween(IGrouping<string, (string Key, int Seq, string Cluster, long At)> g)
        {
            var first = g.MinBy(d => d.At);
            var other = g.Where(d => d.Cluster != first.Cluster).MinBy(d => d.At);
            return refusals.Any(a => a > first.At && a < other.At);
        }

        var acrossEpochs = repeated.Where(g => g.Select(d => d.Cluster).Distinct().Count() > 1 && !RefusalBetween(g)).Select(g => $"{g.Key}@{string.Join("+", g.Select(d => d.Cluster))}").ToList();
        Assert.True(acrossEpochs.Count == 0, $"delivered from both epochs: {string.Join(", ", acrossEpochs.Take(10))}; trace:{Environment.NewLine}{string.Join(Environment.NewLine, trace.Where(t => acrossEpochs.Any(a => t.Contains(" " + a[..a.IndexOf('@', StringComparison.Ordinal)] + "@", StringComparison.Ordinal))))}{Environment.NewLine}log:{Environment.NewLine}{logs.Last(400)}");

        // Within one epoch, only after a commit the cluster refused for good (a member expelled on a starved machine):
        // Kafka's at-least-once, reported by xinfra.consume.commit_failures.
        var sameEpoch = repeated.Select(g => g.Key).ToList();
        Assert.True(sameEpoch.Count == 0 || Volatile.Read(ref abandonedCommits) > 0, $"delivered twice without a refused commit: {string.Join(", ", sameEpoch.Take(10))}");
        foreach (var perKey in all.GroupBy(d => d.Key))
        {
            var order = perKey.Select(d => d.Seq).Distinct().ToList();
            Assert.True(order.SequenceEqual(Enumerable.Range(0, order.Count)),
                $"key {perKey.Key} out of order: {string.Join(" ", perKey.Select(d => $"{d.Seq}@{d.Cluster}"))}");
        }
    }
}
