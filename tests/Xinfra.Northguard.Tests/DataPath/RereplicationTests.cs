using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Xinfra.Northguard.Client;
using Xinfra.Northguard.DataPath;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Ring;
using Xinfra.Northguard.Protocol;

namespace Xinfra.Northguard.Tests.DataPath;

public sealed class RereplicationTests
{
    private static DataPathOptions Rereplicating { get; } = DataPathCluster.Fast with
    {
        ReplicaTimeout = TimeSpan.FromSeconds(2),
        RereplicationInterval = TimeSpan.FromMilliseconds(200),
    };

    private static DataPathOptions Manual { get; } = DataPathCluster.Fast with { RereplicationInterval = TimeSpan.Zero };

    [Fact]
    public async Task Rereplicate_FollowerStopped_SpareGetsCopyAndServesItAfterOriginalsStop()
    {
        await using var cluster = await DataPathCluster.StartAsync(brokers: 4, options: _ => Rereplicating);
        ulong range = await cluster.CreateTopicAsync("rerep");
        await using var producer = new NorthguardProducerClient(cluster.ClientOptions(o => o with { ProducerId = 9 }));
        static NorthguardRecord Record(int i) => new(Encoding.UTF8.GetBytes($"k{i % 5}"), Encoding.UTF8.GetBytes($"{i}"));
        var sent = new List<Task<NorthguardReceipt>>();
        for (int i = 0; i < 100; i++)
        {
            sent.Add(producer.ProduceAsync("rerep", Record(i)).AsTask());
        }

        await Task.WhenAll(sent);
        var first = (await cluster.Metadata.DescribeTopicAsync("rerep")).Segments[0];
        ulong stopped = first.Replicas[1];
        for (int i = 100; i < 300; i++)
        {
            sent.Add(producer.ProduceAsync("rerep", Record(i)).AsTask());
            if (i == 150)
            {
                await cluster.Cluster.StopBrokerAsync(stopped);
            }
        }

        var receipts = await Task.WhenAll(sent).WaitAsync(TimeSpan.FromSeconds(20));
        ulong spare = cluster.Cluster.Brokers.Select(b => b.BrokerId).Single(id => !first.Replicas.Contains(id));

        var restored = await WaitForAsync(async () =>
        {
            var segment = (await cluster.Metadata.DescribeTopicAsync("rerep")).Segments[0];
            return segment.State == SegmentState.Sealed && segment.Replicas.Contains(spare) ? segment : null;
        });
        Assert.Equal(3, restored.Replicas.Count);
        Assert.DoesNotContain(stopped, restored.Replicas);
        Assert.True(restored.EndOffset > 0);

        foreach (ulong original in first.Replicas.Where(r => r != stopped))
        {
            await cluster.Cluster.StopBrokerAsync(original);
        }

        var read = await ConsumeAsync(cluster.Client(spare), "rerep", range, restored.EndOffset);
        Assert.Equal(Enumerable.Range(0, (int)restored.EndOffset).Select(i => (long)i), read.Keys.Order());
        var acknowledged = receipts.Select((r, i) => (r.Offset, Value: i.ToString(CultureInfo.InvariantCulture))).Where(a => a.Offset < restored.EndOffset).ToList();
        Assert.NotEmpty(acknowledged);
        foreach (var (offset, value) in acknowledged)
        {
            Assert.Equal(value, read[offset]);
        }
    }

    /// <summary>
    /// Three brokers, RF=3: one stops, and producers go on (the next segment opens on the two left, like a shrunk
    /// ISR). Once that segment is sealed and the broker is back, re-replication tops it up to three replicas.
    /// </summary>
    [Fact]
    public async Task BrokerDown_ThreeBrokerCluster_ProducersGoOnAndTheShortSegmentIsToppedUp()
    {
        await using var cluster = await DataPathCluster.StartAsync(brokers: 3, options: _ => Rereplicating);
        var policy = StoragePolicy.Default with { SegmentAge = TimeSpan.FromSeconds(1) };
        ulong range = (await cluster.Metadata.CreateTopicAsync("shrunk", policy, 1)).Ranges[0].Id.Value;
        await using var producer = new NorthguardProducerClient(cluster.ClientOptions(o => o with { ProducerId = 11 }));
        static NorthguardRecord Record(int i) => new(Encoding.UTF8.GetBytes($"k{i % 5}"), Encoding.UTF8.GetBytes($"{i}"));
        var sent = new List<Task<NorthguardReceipt>>();
        for (int i = 0; i < 100; i++)
        {
            sent.Add(producer.ProduceAsync("shrunk", Record(i)).AsTask());
        }

        await Task.WhenAll(sent);
        var first = (await cluster.Metadata.DescribeTopicAsync("shrunk")).Segments[0];
        ulong stopped = first.Replicas[^1];
        await cluster.Cluster.StopBrokerAsync(stopped);
        for (int i = 100; i < 300; i++)
        {
            sent.Add(producer.ProduceAsync("shrunk", Record(i)).AsTask());
        }

        var receipts = await Task.WhenAll(sent).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(300, receipts.Select(r => r.Offset).Distinct().Count());
        var shortSegment = (await cluster.Metadata.DescribeTopicAsync("shrunk")).Segments.First(s => s.Replicas.Count == 2);
        Assert.DoesNotContain(stopped, shortSegment.Replicas);

        await cluster.Cluster.RestartBrokerAsync(stopped);
        var topped = await WaitForAsync(async () =>
        {
            var segment = (await cluster.Metadata.DescribeTopicAsync("shrunk")).Segments.Single(s => s.Id == shortSegment.Id);
            return segment.State == SegmentState.Sealed && segment.Replicas.Count == 3 ? segment : null;
        });
        Assert.Contains(stopped, topped.Replicas);

        var read = await ConsumeAsync(cluster.Client(stopped), "shrunk", range, 300);
        foreach (var (receipt, i) in receipts.Select((r, i) => (r, i)).Where(x => x.r.Offset < topped.EndOffset))
        {
            Assert.Equal(i.ToString(CultureInfo.InvariantCulture), read[receipt.Offset]);
        }
    }

    [Fact]
    public async Task RunOnce_EveryReplicaLive_ChangesNothing()
    {
        await using var cluster = await DataPathCluster.StartAsync(brokers: 4, options: _ => Manual);
        ulong range = await cluster.CreateTopicAsync("healthy");
        var segment = await cluster.Metadata.OpenSegmentAsync(new RangeId(range), [1, 2, 3]);
        await cluster.Metadata.SealSegmentAsync(segment, 0);

        foreach (var broker in cluster.Cluster.Brokers)
        {
            var rereplicator = cluster.Engine(broker.BrokerId).Rereplicator!;
            Assert.Equal(0, await rereplicator.RunOnceAsync(CancellationToken.None));
            Assert.Equal(0, rereplicator.UnderReplicated);
        }

        Assert.Empty(await cluster.Metadata.ListUnderReplicatedSegmentsAsync(new HashSet<ulong> { 1, 2, 3, 4 }));
        Assert.Equal([1UL, 2UL, 3UL], (await cluster.Metadata.DescribeTopicAsync("healthy")).Segments[0].Replicas);
        Assert.Null(cluster.Engine(4).Store.GetSegment(StoreIds.Of(segment)));
    }

    [Fact]
    public async Task RunOnce_NoLiveReplica_ReportedNotRepaired()
    {
        await using var cluster = await DataPathCluster.StartAsync(brokers: 4, options: _ => Manual);
        ulong range = await cluster.CreateTopicAsync("lost");
        var segment = await cluster.Metadata.OpenSegmentAsync(new RangeId(range), [2, 3, 4]);
        await cluster.Metadata.SealSegmentAsync(segment, 10);
        foreach (ulong id in new ulong[] { 2, 3, 4 })
        {
            await cluster.Cluster.StopBrokerAsync(id);
        }

        var rereplicator = cluster.Engine(1).Rereplicator!;
        Assert.Equal(0, await rereplicator.RunOnceAsync(CancellationToken.None));
        Assert.Equal(1, rereplicator.UnderReplicated);
        Assert.Equal(1, rereplicator.Unavailable);
        Assert.Equal([2UL, 3UL, 4UL], (await cluster.Metadata.DescribeTopicAsync("lost")).Segments[0].Replicas);
        Assert.Null(cluster.Engine(1).Store.GetSegment(StoreIds.Of(segment)));

        var gauges = new HashSet<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Xinfra.Northguard")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) =>
        {
            if (value > 0)
            {
                lock (gauges)
                {
                    gauges.Add(instrument.Name);
                }
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        Assert.Contains("northguard.segments.under_replicated", gauges);
        Assert.Contains("northguard.segments.unavailable", gauges);
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe)
        where T : class
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            await Task.Delay(50, cts.Token);
        }
    }

    /// <summary>Reads offsets [0, <paramref name="end"/>) of a range from one broker over a plain consume stream.</summary>
    private static async Task<Dictionary<long, string>> ConsumeAsync(Protocol.Northguard.NorthguardClient client, string topic, ulong range, long end)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var call = client.Consume(cancellationToken: cts.Token);
        await call.RequestStream.WriteAsync(new ConsumeRequest
        {
            Start = new ConsumeStart { Topic = topic, RangeId = range, Offset = 0, CreditRecords = 100_000, CreditBytes = 64 << 20 },
        });
        var read = new Dictionary<long, string>();
        while (read.Count < end && await call.ResponseStream.MoveNext(cts.Token))
        {
            var response = call.ResponseStream.Current;
            Assert.Equal(ConsumeResponse.KindOneofCase.Batch, response.KindCase);
            foreach (var record in response.Batch.Records.Where(r => r.Offset < end))
            {
                read.Add(record.Offset, record.Record.Value.ToStringUtf8());
            }
        }

        await cts.CancelAsync();
        return read;
    }
}
