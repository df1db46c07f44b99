using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xinfra.IntegrationTests.Northguard;
using Xinfra.Migration;
using Xinfra.Routing;

namespace Xinfra.IntegrationTests.Migration;

/// <summary>
/// The issue's end-to-end run: a topic moves from Kafka (librdkafka's mock cluster) to an embedded 3-broker Northguard
/// cluster while two producers write keyed records continuously and two consumer groups of two members each read;
/// the phase goes SourceOnly → DualWriteReadSource → DualWriteReadTarget → DualWriteReadSource → DualWriteReadTarget
/// → TargetOnly. Each group gets every acknowledged record exactly once (a same-epoch repeat is allowed only after a
/// commit the cluster refused, counted by <c>xinfra.consume.commit_failures</c>), in key order; source and target do
/// not diverge over the dual-write window. A repeat is allowed only for a group that had a commit refused for good.
/// </summary>
public sealed class EndToEndMigrationTests(KafkaMockFixture kafka, EmbeddedNorthguardFixture northguard)
    : IClassFixture<KafkaMockFixture>, IClassFixture<EmbeddedNorthguardFixture>
{
    private string Json(string phase, string topic) => $$"""
        {
          "Xinfra": {
            "ApplicationId": "migration-e2e",
            "Clusters": {
              "kafka": { "Kind": "Kafka", "Bootstrap": "{{kafka.Bootstrap}}", "DefaultPartitions": 3, "Settings": {{kafka.SettingsJson}} },
              "ng": { "Kind": "Northguard", "Bootstrap": "{{northguard.Cluster.Bootstrap}}", "DefaultPartitions": 4 }
            },
            "Topics": {
              "orders": { "Epochs": [ { "Cluster": "kafka", "Topic": "{{topic}}" }, { "Cluster": "ng", "Topic": "{{topic}}" } ], "Phase": "{{phase}}" }
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
    public async Task KafkaToNorthguard_TwoProducersTwoGroupsOfTwo_FlipsBothWaysToTargetOnly_ExactlyOnceInKeyOrder()
    {
        var topic = $"e2e-{Guid.NewGuid():N}"[..16];
        var logs = new LogLines();
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(Json("SourceOnly", topic)))).Build();
        var services = new ServiceCollection();
        services.AddLogging(l => l.AddProvider(logs).SetMinimumLevel(LogLevel.Information));
        services.AddXinfra(configuration.GetSection("Xinfra")).AddKafka().AddNorthguard();
        await using var provider = services.BuildServiceProvider();
        var xinfra = provider.GetRequiredService<IXinfraClient>();
        var monitor = provider.GetRequiredService<XinfraConfigurationMonitor>();

        var abandoned = new ConcurrentDictionary<string, int>();
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
            string? group = null;
            var isAbandoned = false;
            foreach (var tag in tags)
            {
                group = tag.Key == "group" ? tag.Value as string : group;
                isAbandoned |= tag.Key == "outcome" && (string?)tag.Value == "abandoned";
            }

            if (isAbandoned && group is not null)
            {
                abandoned.AddOrUpdate(group, 1, (_, n) => n + 1);
            }
        });
        listener.Start();

        var acked = new ConcurrentDictionary<string, byte>();
        var delivered = new ConcurrentDictionary<string, ConcurrentQueue<(string Key, int Seq, string Cluster)>>();
        using var stopProducing = new CancellationTokenSource();
        using var stopConsuming = new CancellationTokenSource(TimeSpan.FromMinutes(3));

        var producers = new[] { "a", "b" }.Select(name => Task.Run(async () =>
        {
            await using var producer = xinfra.CreateProducer<string, string>("orders");
            var seq = new int[4];
            for (var i = 0; !stopProducing.IsCancellationRequested; i++)
            {
                var key = $"{name}{i % 4}";
                var value = $"{key}:{seq[i % 4]}";
                await producer.ProduceAsync(key, value);
                acked[value] = 0;
                seq[i % 4]++;
                await Task.Delay(4);
            }
        })).ToList();

        var groups = new[] { "billing", "audit" };
        var consumers = groups.SelectMany(g => new[] { (Group: g, Member: "m1"), (Group: g, Member: "m2") }).Select(m => Task.Run(async () =>
        {
            var mine = delivered.GetOrAdd(m.Group, _ => new ConcurrentQueue<(string, int, string)>());
            await using var consumer = xinfra.CreateConsumer<string, string>("orders", new ConsumerOptions<string, string>
            {
                GroupId = $"{m.Group}-{topic}",
                CommitInterval = TimeSpan.FromMilliseconds(100),
                CutoverQuietPeriod = TimeSpan.FromSeconds(4),
                CutoverRetryInterval = TimeSpan.FromMilliseconds(500),
            });
            try
            {
                await foreach (var result in consumer.ConsumeAsync(stopConsuming.Token))
                {
                    var colon = result.Value!.IndexOf(':', StringComparison.Ordinal);
                    mine.Enqueue((result.Key!, int.Parse(result.Value.AsSpan(colon + 1), CultureInfo.InvariantCulture), result.Cluster));
                }
            }
            catch (OperationCanceledException)
            {
            }
        })).ToList();

        ConcurrentQueue<(string Key, int Seq, string Cluster)> Of(string group) => delivered.GetOrAdd(group, _ => new ConcurrentQueue<(string, int, string)>());

        async Task WaitAsync(Func<bool> condition, string what)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            while (!condition())
            {
                Assert.False(timeout.IsCancellationRequested, $"timed out waiting for: {what} (delivered {string.Join(", ", groups.Select(g => $"{g} {Of(g).Count}"))}, acked {acked.Count}); last log lines:{Environment.NewLine}{logs.Last(80)}");
                await Task.Delay(50);
            }
        }

        await WaitAsync(() => groups.All(g => Of(g).Count >= 50), "both groups reading Kafka");
        DateTimeOffset dualFrom = default, dualTo = default;
        foreach (var (phase, cluster) in new[]
        {
            ("DualWriteReadSource", "kafka"), ("DualWriteReadTarget", "ng"), ("DualWriteReadSource", "kafka"),
            ("DualWriteReadTarget", "ng"), ("TargetOnly", "ng"),
        })
        {
            if (phase == "TargetOnly")
            {
                dualTo = DateTimeOffset.UtcNow - TimeSpan.FromSeconds(1);
            }

            Assert.True(monitor.TryApply(Options(Json(phase, topic)), out var errors), errors);
            if (dualFrom == default)
            {
                dualFrom = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1);
            }

            foreach (var group in groups)
            {
                await WaitAsync(() => Of(group).TakeLast(10).All(d => d.Cluster == cluster) && Of(group).Count(d => d.Cluster == cluster) >= 10, $"{group} reading {cluster} in {phase}");
            }

            var counts = groups.ToDictionary(g => g, g => Of(g).Count);
            await WaitAsync(() => groups.All(g => Of(g).Count >= counts[g] + 30), $"progress in {phase}");
        }

        await stopProducing.CancelAsync();
        await Task.WhenAll(producers);
        foreach (var group in groups)
        {
            await WaitAsync(() => Of(group).Select(d => $"{d.Key}:{d.Seq}").ToHashSet().IsSupersetOf(acked.Keys), $"{group}: every acknowledged record delivered");
        }

        await Task.Delay(500);
        await stopConsuming.CancelAsync();
        await Task.WhenAll(consumers);

        foreach (var group in groups)
        {
            var all = Of(group).ToList();
            var repeated = all.GroupBy(d => $"{d.Key}:{d.Seq}").Where(g => g.Count() > 1).ToList();
            // A repeat (from either epoch) is allowed only after a commit the cluster refused for good for this group
            // (the records processed since the last commit come again, from whichever epoch the group reads next),
            // counted by xinfra.consume.commit_failures{outcome=abandoned}.
            var refused = abandoned.GetValueOrDefault($"{group}-{topic}");
            if (repeated.Count > 0 && refused == 0)
            {
                var shown = repeated.Take(10).Select(g => $"{g.Key}@{string.Join("+", g.Select(d => d.Cluster))}");
                Assert.Fail($"{group}: delivered twice without a refused commit: {string.Join(", ", shown)}; log:{Environment.NewLine}{logs.Last(400)}");
            }

            foreach (var perKey in all.GroupBy(d => d.Key))
            {
                var order = perKey.Select(d => d.Seq).Distinct().ToList();
                Assert.True(order.SequenceEqual(Enumerable.Range(0, order.Count)), $"{group}: key {perKey.Key} out of order: {string.Join(" ", perKey.Select(d => $"{d.Seq}@{d.Cluster}"))}");
            }

            Assert.Contains(all, d => d.Cluster == "kafka");
            Assert.Contains(all, d => d.Cluster == "ng");
        }

        // Zero divergence over the dual-write window (records written in SourceOnly or TargetOnly are on one side by design).
        var report = await new DivergenceChecker(monitor, provider.GetRequiredService<TransportRegistry>()).CheckAsync("orders", dualFrom, dualTo);
        Assert.True(report.IsZero, $"divergence {report.Divergence}: {string.Join("; ", report.Examples)}");
        Assert.True(report.Source.Count > 100, $"the window holds {report.Source.Count} records");
    }
}
