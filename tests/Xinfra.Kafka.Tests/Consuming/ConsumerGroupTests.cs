using System.Collections.Concurrent;
using Xinfra.Kafka.Tests.Infrastructure;
using Xinfra.Transport;
using static Xinfra.Kafka.Tests.Infrastructure.TestRecords;

namespace Xinfra.Kafka.Tests.Consuming;

public sealed class ConsumerGroupTests(KafkaClusterFixture cluster) : IClassFixture<KafkaClusterFixture>
{
    [Fact]
    public async Task CommitThenRestart_ResumesExactlyAfterCommittedPosition()
    {
        await using var transport = cluster.CreateTransport();
        var topic = await cluster.CreateTopicAsync(transport, partitions: 1);
        await ProduceAsync(transport, topic, 10);
        var group = "g-" + Guid.NewGuid().ToString("N")[..8];

        await using (var first = transport.CreateConsumer(Spec(topic, group)))
        {
            var records = await ReadAsync(first, 4);
            var last = records[^1].Position;
            await first.CommitAsync([new TopicPartitionOffset(last.TopicPartition, last.Offset + 1)], CancellationToken.None);
            var committed = await first.GetCommittedAsync([last.TopicPartition], CancellationToken.None);
            Assert.Equal(4, committed[0].Offset);
        }

        await using var second = transport.CreateConsumer(Spec(topic, group));
        var resumed = await ReadAsync(second, 6);
        Assert.Equal(["v4", "v5", "v6", "v7", "v8", "v9"], resumed.Select(r => Text(r.Value)));
        Assert.Empty(await ReadUntilQuietAsync(second, TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public async Task DescribeGroup_CountsMembersAndReportsCommittedOffsets_WithoutJoining()
    {
        await using var transport = cluster.CreateTransport();
        var topic = await cluster.CreateTopicAsync(transport, partitions: 2);
        await ProduceAsync(transport, topic, 10);
        var group = "g-" + Guid.NewGuid().ToString("N")[..8];

        var before = await transport.DescribeGroupAsync(group, topic, CancellationToken.None);
        var membersKnown = before.Members >= 0;
        Assert.True(membersKnown || cluster.Mock is not null, "only librdkafka's mock cluster lacks DescribeGroups");
        Assert.Equal(membersKnown ? 0 : -1, before.Members);
        Assert.All(before.Committed, c => Assert.Equal(-1, c.Offset));

        await using (var member = transport.CreateConsumer(Spec(topic, group)))
        {
            var records = await ReadAsync(member, 3);
            var last = records[^1].Position;
            await member.CommitAsync([new TopicPartitionOffset(last.TopicPartition, last.Offset + 1)], CancellationToken.None);
            var during = await transport.DescribeGroupAsync(group, topic, CancellationToken.None);
            // On the mock (no DescribeGroups) the transport reports the members it has itself: a lower bound.
            Assert.Equal(1, during.Members);
            Assert.Contains(new TopicPartitionOffset(last.TopicPartition, last.Offset + 1), during.Committed);
        }

        var after = await transport.DescribeGroupAsync(group, topic, CancellationToken.None);
        Assert.Equal(membersKnown ? 0 : -1, after.Members);
        Assert.Equal(2, after.Committed.Count);
    }

    [Fact]
    public async Task TwoMembers_Rebalance_SplitsPartitionsWithoutLossOrDuplicates()
    {
        await using var transport = cluster.CreateTransport();
        var topic = await cluster.CreateTopicAsync(transport, partitions: 4);
        const int firstBatch = 400;
        await ProduceAsync(transport, topic, firstBatch);
        var group = "g-" + Guid.NewGuid().ToString("N")[..8];
        var seen = new ConcurrentDictionary<string, int>();
        var listenerA = new CommittingListener();
        var listenerB = new CommittingListener();

        await using var a = transport.CreateConsumer(Spec(topic, group, listenerA));
        await ConsumeAsync(a, listenerA, seen, firstBatch, TimeSpan.FromSeconds(20));
        Assert.Equal(4, a.Assignment.Count);

        // A second member joins: cooperative-sticky moves some partitions; A commits what it processed when they go.
        await using var b = transport.CreateConsumer(Spec(topic, group, listenerB));
        await ProduceAsync(transport, topic, 400, prefix: "w");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var readA = ConsumeAsync(a, listenerA, seen, int.MaxValue, TimeSpan.FromSeconds(30), cts.Token);
        var readB = ConsumeAsync(b, listenerB, seen, int.MaxValue, TimeSpan.FromSeconds(30), cts.Token);
        while (seen.Count < 800 || a.Assignment.Count + b.Assignment.Count != 4 || b.Assignment.Count == 0)
        {
            Assert.False(cts.IsCancellationRequested,
                $"seen {seen.Count}/800, A owns [{string.Join(",", a.Assignment)}], B owns [{string.Join(",", b.Assignment)}]");
            await Task.Delay(50, CancellationToken.None);
        }

        await cts.CancelAsync();
        await Task.WhenAll(readA, readB);

        Assert.Equal(800, seen.Count);
        if (listenerA.CommitFailures + listenerB.CommitFailures == 0)
        {
            // Duplicates are allowed only after a failed commit (a member expelled on a starved machine).
            Assert.All(seen, pair => Assert.Equal(1, pair.Value));
        }

        Assert.Equal(2, a.Assignment.Count);
        Assert.Equal(2, b.Assignment.Count);
        Assert.Empty(a.Assignment.Intersect(b.Assignment));
        Assert.NotEmpty(listenerA.Revoked);
        Assert.NotEmpty(listenerB.Assigned);
    }

    [Fact]
    public async Task Seek_BackToEarlierOffset_RereadsFromThere()
    {
        await using var transport = cluster.CreateTransport();
        var topic = await cluster.CreateTopicAsync(transport, partitions: 1);
        await ProduceAsync(transport, topic, 20);
        await using var consumer = transport.CreateConsumer(Spec(topic));

        var first = await ReadAsync(consumer, 5);
        consumer.Seek(new TopicPartitionOffset(first[0].Position.TopicPartition, 2));
        var again = await ReadAsync(consumer, 3);

        Assert.Equal(["v2", "v3", "v4"], again.Select(r => Text(r.Value)));
    }

    [RealClusterFact]
    public async Task OffsetsForTime_FindsFirstRecordAtOrAfterTimestamp()
    {
        await using var transport = cluster.CreateTransport();
        var (topic, start) = await ProduceTimedAsync(transport);
        await using var consumer = transport.CreateConsumer(Spec(topic));
        var partition = (await ReadAsync(consumer, 1))[0].Position.TopicPartition;

        var found = await consumer.OffsetsForTimeAsync([partition], start.AddSeconds(6), CancellationToken.None);
        consumer.Seek(found[0]);
        var read = await ReadAsync(consumer, 1);

        Assert.Equal(6, found[0].Offset);
        Assert.Equal("v6", Text(read[0].Value));
    }

    [Fact]
    public async Task OffsetsForTime_AfterLastRecord_ReturnsHighWatermark()
    {
        await using var transport = cluster.CreateTransport();
        var (topic, start) = await ProduceTimedAsync(transport);
        await using var consumer = transport.CreateConsumer(Spec(topic));
        var partition = (await ReadAsync(consumer, 1))[0].Position.TopicPartition;

        var past = await consumer.OffsetsForTimeAsync([partition], start.AddDays(1), CancellationToken.None);

        Assert.Equal(10, past[0].Offset);
        Assert.Equal(new WatermarkOffsets(0, 10), await consumer.GetWatermarksAsync(partition, CancellationToken.None));
    }

    private async Task<(PhysicalTopic Topic, DateTimeOffset Start)> ProduceTimedAsync(ITransport transport)
    {
        var topic = await cluster.CreateTopicAsync(transport, partitions: 1);
        var start = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
        for (var i = 0; i < 10; i++)
        {
            await transport.ProduceAsync(topic, Outgoing("k", $"v{i}") with { Timestamp = start.AddSeconds(i) }, CancellationToken.None);
        }

        return (topic, start);
    }

    [Fact]
    public async Task PauseThenResume_HoldsRecordsBackThenDeliversThemInOrder()
    {
        await using var transport = cluster.CreateTransport();
        var topic = await cluster.CreateTopicAsync(transport, partitions: 1);
        await ProduceAsync(transport, topic, 5);
        await using var consumer = transport.CreateConsumer(Spec(topic));
        var first = await ReadAsync(consumer, 1);
        var partition = first[0].Position.TopicPartition;

        consumer.Pause([partition]);
        await ProduceAsync(transport, topic, 5, prefix: "w");
        var whilePaused = await ReadUntilQuietAsync(consumer, TimeSpan.FromMilliseconds(700));
        consumer.Resume([partition]);
        var rest = await ReadAsync(consumer, 9);

        Assert.Empty(whilePaused);
        Assert.Equal(["v1", "v2", "v3", "v4", "w0", "w1", "w2", "w3", "w4"], rest.Select(r => Text(r.Value)));
    }

    [Fact]
    public async Task Listener_SeekDuringAssignment_StartsThere()
    {
        await using var transport = cluster.CreateTransport();
        var topic = await cluster.CreateTopicAsync(transport, partitions: 1);
        await ProduceAsync(transport, topic, 10);
        var listener = new SeekingListener(7);

        await using var consumer = transport.CreateConsumer(Spec(topic, listener: listener));
        var records = await ReadAsync(consumer, 3);

        Assert.Equal(["v7", "v8", "v9"], records.Select(r => Text(r.Value)));
    }

    private static async Task ConsumeAsync(
        ITransportConsumer consumer, CommittingListener listener, ConcurrentDictionary<string, int> seen, int count, TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var record = await consumer.ReadAsync(cts.Token);
                seen.AddOrUpdate(Text(record.Value)!, 1, (_, n) => n + 1);
                listener.Processed[record.Position.TopicPartition] = record.Position.Offset + 1;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Commits what was processed of partitions being revoked, as a client layer would.</summary>
    private sealed class CommittingListener : IRebalanceListener
    {
        public ConcurrentDictionary<TopicPartition, long> Processed { get; } = new();

        public ConcurrentQueue<TopicPartition> Assigned { get; } = new();

        public ConcurrentQueue<TopicPartition> Revoked { get; } = new();

        public void OnAssigned(ITransportConsumer consumer, IReadOnlyList<TopicPartition> partitions)
        {
            foreach (var partition in partitions)
            {
                Assigned.Enqueue(partition);
            }
        }

        public void OnRevoked(ITransportConsumer consumer, IReadOnlyList<TopicPartition> partitions)
        {
            var positions = new List<TopicPartitionOffset>();
            foreach (var partition in partitions)
            {
                Revoked.Enqueue(partition);
                if (Processed.TryRemove(partition, out var next))
                {
                    positions.Add(new TopicPartitionOffset(partition, next));
                }
            }

            try
            {
                consumer.CommitAsync(positions, CancellationToken.None).AsTask().GetAwaiter().GetResult();
            }
            catch (XinfraException)
            {
                Interlocked.Increment(ref _commitFailures);
            }
        }

        private int _commitFailures;

        public int CommitFailures => Volatile.Read(ref _commitFailures);
    }

    private sealed class SeekingListener(long offset) : IRebalanceListener
    {
        public void OnAssigned(ITransportConsumer consumer, IReadOnlyList<TopicPartition> partitions)
        {
            foreach (var partition in partitions)
            {
                consumer.Seek(new TopicPartitionOffset(partition, offset));
            }
        }

        public void OnRevoked(ITransportConsumer consumer, IReadOnlyList<TopicPartition> partitions)
        {
        }
    }
}
