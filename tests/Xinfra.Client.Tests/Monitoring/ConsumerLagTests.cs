using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xinfra.Client.Tests.Support;

namespace Xinfra.Client.Tests.Monitoring;

public sealed class ConsumerLagTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private sealed record Point(string Name, double Value, int Partition, string? Cluster);

    /// <summary>The lag gauges of <paramref name="group"/> right now (other tests' consumers are filtered out by group).</summary>
    private static List<Point> Observe(string group)
    {
        var seen = new List<Point>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == XinfraTelemetry.Name && instrument.Name.StartsWith("xinfra.consume.lag", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? g = null, cluster = null;
            int partition = -1;
            foreach (var tag in tags)
            {
                switch (tag.Key)
                {
                    case "group": g = tag.Value as string; break;
                    case "cluster": cluster = tag.Value as string; break;
                    case "partition": partition = Convert.ToInt32(tag.Value, CultureInfo.InvariantCulture); break;
                }
            }

            if (g == group)
            {
                lock (seen)
                {
                    seen.Add(new Point(instrument.Name, Convert.ToDouble(value, CultureInfo.InvariantCulture), partition, cluster));
                }
            }
        }

        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.Start();
        listener.RecordObservableInstruments();
        return seen;
    }

    /// <summary>A listener kept for a whole test: the consumer refreshes watermarks only while the gauges are collected.</summary>
    private static MeterListener Collecting()
    {
        var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == XinfraTelemetry.Name && instrument.Name.StartsWith("xinfra.consume.lag", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.Start();
        return listener;
    }

    /// <summary>Advances the fake clock one refresh interval at a time until <paramref name="condition"/> holds (bounded in real time).</summary>
    private static async Task UntilAsync(FakeTimeProvider time, Func<bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!condition())
        {
            if (timeout.IsCancellationRequested)
            {
                Assert.Fail($"Timed out waiting for: {what}");
            }

            time.Advance(Interval);
            await Task.Delay(20);
        }
    }

    private static async Task TakeAsync(IXinfraConsumer<string, string> consumer, int count)
    {
        int taken = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await foreach (var _ in consumer.ConsumeAsync(timeout.Token))
        {
            if (++taken == count)
            {
                break;
            }
        }
    }

    private static async Task ProduceAsync(IXinfraProducer<string, string> producer, int count, int start)
    {
        for (int i = start; i < start + count; i++)
        {
            await producer.ProduceAsync($"key-{i}", i.ToString(CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public async Task Lag_GrowsWhileRecordsWait_AndDropsToZeroAfterConsuming()
    {
        var time = new FakeTimeProvider(Start);
        using var collecting = Collecting();
        await using var host = TestHost.FromJson(TestHost.SingleTopic, b => b.Services.AddSingleton<TimeProvider>(time));
        string group = $"lag-{Guid.NewGuid():N}";
        await using var producer = host.Client.CreateProducer<string, string>("orders");
        await ProduceAsync(producer, 12, 0); // every record stamped Start
        await using var consumer = host.Client.CreateConsumer<string, string>("orders", new ConsumerOptions<string, string> { GroupId = group, LagRefreshInterval = Interval });

        await TakeAsync(consumer, 12);
        await UntilAsync(time, () => Observe(group).Where(p => p.Name == "xinfra.consume.lag").ToList() is { Count: > 0 } lag && lag.Sum(p => p.Value) == 0,
            "the lag to be known and 0 after consuming everything");
        Assert.All(Observe(group), p => Assert.Equal("mem", p.Cluster));

        await ProduceAsync(producer, 7, 12); // produced, not consumed
        await UntilAsync(time, () => Observe(group).Where(p => p.Name == "xinfra.consume.lag").Sum(p => p.Value) == 7, "the lag to grow to the 7 waiting records");

        var points = Observe(group);
        var lagging = points.Where(p => p.Name == "xinfra.consume.lag" && p.Value > 0).Select(p => p.Partition).ToHashSet();
        double expected = (time.GetUtcNow() - Start).TotalSeconds; // the last record delivered from each partition is stamped Start
        Assert.NotEmpty(lagging);
        foreach (var seconds in points.Where(p => p.Name == "xinfra.consume.lag_seconds"))
        {
            Assert.Equal(lagging.Contains(seconds.Partition) ? expected : 0, seconds.Value, 3);
        }

        Assert.True(expected >= Interval.TotalSeconds);

        await TakeAsync(consumer, 7);
        var after = Observe(group);
        Assert.Equal(0, after.Where(p => p.Name == "xinfra.consume.lag").Sum(p => p.Value));
        Assert.All(after.Where(p => p.Name == "xinfra.consume.lag_seconds"), p => Assert.Equal(0, p.Value));
        Assert.Contains(after, p => p.Name == "xinfra.consume.lag_seconds");
    }

    [Fact]
    public async Task Rebalance_EachPartitionReportedByItsCurrentOwnerOnly()
    {
        const string SixPartitions = """
            { "Xinfra": { "Clusters": { "mem": { "Kind": "InMemory", "Bootstrap": "m", "DefaultPartitions": 6 } },
                          "Topics": { "events": { "Cluster": "mem" } } } }
            """;
        var time = new FakeTimeProvider(Start);
        using var collecting = Collecting();
        await using var host = TestHost.FromJson(SixPartitions, b => b.Services.AddSingleton<TimeProvider>(time));
        string group = $"lag-{Guid.NewGuid():N}";
        await using var producer = host.Client.CreateProducer<string, string>("events");
        for (int i = 0; i < 60; i++)
        {
            await producer.ProduceAsync($"k{i}", "v");
        }

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var assignedToB = 0;
        var consumed = 0;
        async Task RunAsync(Action<IReadOnlyList<Xinfra.Transport.TopicPartition>>? assigned)
        {
            await using var consumer = host.Client.CreateConsumer<string, string>("events", new ConsumerOptions<string, string>
            {
                GroupId = group,
                LagRefreshInterval = Interval,
                OnPartitionsAssigned = assigned,
            });
            try
            {
                await foreach (var _ in consumer.ConsumeAsync(stop.Token))
                {
                    Interlocked.Increment(ref consumed);
                    await Task.Yield();
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        var a = Task.Run(() => RunAsync(null));
        await UntilAsync(time, () => Observe(group).Count(p => p.Name == "xinfra.consume.lag") == 6, "member a to report all 6 partitions");

        var b = Task.Run(() => RunAsync(ps => Interlocked.Add(ref assignedToB, ps.Count)));
        await UntilAsync(time, () => Volatile.Read(ref assignedToB) > 0, "member b to get partitions");
        for (int i = 60; i < 120; i++)
        {
            await producer.ProduceAsync($"k{i}", "v");
        }

        await UntilAsync(time, () => Volatile.Read(ref consumed) >= 120, "both members to consume the new records");

        // Without forgetting revoked partitions, member a would keep reporting the 3 it lost next to member b's.
        await UntilAsync(time, () => Observe(group).Where(p => p.Name == "xinfra.consume.lag").ToList() is { Count: 6 } lag
            && lag.Select(p => p.Partition).Distinct().Count() == 6 && lag.All(p => p.Value == 0), "each partition reported once, by its owner, caught up");

        await stop.CancelAsync();
        await Task.WhenAll(a, b);
        Assert.Empty(Observe(group));
    }

    [Fact]
    public async Task Lag_RemovedWhenTheConsumerIsDisposed()
    {
        var time = new FakeTimeProvider(Start);
        using var collecting = Collecting();
        await using var host = TestHost.FromJson(TestHost.SingleTopic, b => b.Services.AddSingleton<TimeProvider>(time));
        string group = $"lag-{Guid.NewGuid():N}";
        await using var producer = host.Client.CreateProducer<string, string>("orders");
        await ProduceAsync(producer, 3, 0);
        var consumer = host.Client.CreateConsumer<string, string>("orders", new ConsumerOptions<string, string> { GroupId = group, LagRefreshInterval = Interval });
        await TakeAsync(consumer, 3);
        await UntilAsync(time, () => Observe(group).Count > 0, "the lag gauges to report the consumer");

        await consumer.DisposeAsync();
        Assert.Empty(Observe(group));
    }

    [Fact]
    public async Task LagRefreshInterval_NotPositive_RefusedNamingTopicAndGroup()
    {
        await using var host = TestHost.FromJson(TestHost.SingleTopic);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            host.Client.CreateConsumer<string, string>("orders", new ConsumerOptions<string, string> { GroupId = "g", LagRefreshInterval = TimeSpan.Zero }));
        Assert.Contains("Topic 'orders', group 'g'", error.Message, StringComparison.Ordinal);
    }
}
