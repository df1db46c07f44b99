using Xinfra.Kafka.Tests.Infrastructure;
using Xinfra.Transport;
using static Xinfra.Kafka.Tests.Infrastructure.TestRecords;

namespace Xinfra.Kafka.Tests.Producing;

public sealed class RoundTripTests(KafkaClusterFixture cluster) : IClassFixture<KafkaClusterFixture>
{
    [Fact]
    public async Task ProduceAsync_ThenRead_KeepsKeyValueHeadersAndTimestamp()
    {
        await using var transport = cluster.CreateTransport();
        var topic = await cluster.CreateTopicAsync(transport, partitions: 1);
        var timestamp = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123);
        var record = Outgoing("key-1", "value-1", ("h1", "a"), ("h2", "b"), ("h1", "c")) with { Timestamp = timestamp };

        var receipt = await transport.ProduceAsync(topic, record, CancellationToken.None);
        await using var consumer = transport.CreateConsumer(Spec(topic));
        var incoming = (await ReadAsync(consumer, 1))[0];

        Assert.Equal("test-cluster", receipt.Cluster);
        Assert.Equal(receipt.Position, incoming.Position);
        Assert.Equal(timestamp, receipt.Timestamp);
        Assert.Equal("key-1", Text(incoming.Key));
        Assert.Equal("value-1", Text(incoming.Value));
        Assert.Equal(timestamp, incoming.Timestamp);
        Assert.Equal(["h1=a", "h2=b", "h1=c"], incoming.Headers.Select(h => $"{h.Name}={Text(h.Value)}"));
    }

    /// <summary>A producer disposed after its service provider flushes a transport that is already closed: no error.</summary>
    [Fact]
    public async Task FlushAsync_AfterDispose_CompletesWithoutError()
    {
        var transport = cluster.CreateTransport();
        var topic = await cluster.CreateTopicAsync(transport, partitions: 1);
        await transport.ProduceAsync(topic, Outgoing("k", "v"), CancellationToken.None);
        await transport.DisposeAsync();

        await transport.FlushAsync(CancellationToken.None);
    }

    [Fact]
    public async Task ProduceAsync_NullKeyAndValue_ReadBackAsNull()
    {
        await using var transport = cluster.CreateTransport();
        var topic = await cluster.CreateTopicAsync(transport, partitions: 1);

        await transport.ProduceAsync(topic, Outgoing(null, "v"), CancellationToken.None);
        await transport.ProduceAsync(topic, Outgoing(null, null), CancellationToken.None);
        await using var consumer = transport.CreateConsumer(Spec(topic));
        var records = await ReadAsync(consumer, 2);
        var incoming = records[1];

        Assert.Null(records[0].Key);
        Assert.Equal("v", Text(records[0].Value));
        Assert.Null(incoming.Key);
        Assert.Null(incoming.Value);
        Assert.Empty(incoming.Headers);
        Assert.NotEqual(default, incoming.Timestamp);
    }

    [Fact]
    public async Task Produce_CallbackPerRecordThenFlush_DeliversEveryRecordOnce()
    {
        await using var transport = cluster.CreateTransport();
        var topic = await cluster.CreateTopicAsync(transport, partitions: 3);
        const int count = 2000;
        var delivered = 0;
        var failures = 0;

        for (var i = 0; i < count; i++)
        {
            transport.Produce(topic, Outgoing($"k{i % 17}", $"v{i}"), (_, error) =>
            {
                if (error is null)
                {
                    Interlocked.Increment(ref delivered);
                }
                else
                {
                    Interlocked.Increment(ref failures);
                }
            });
        }

        await transport.FlushAsync(CancellationToken.None);
        await using var consumer = transport.CreateConsumer(Spec(topic));
        var records = await ReadAsync(consumer, count);

        Assert.Equal(count, delivered);
        Assert.Equal(0, failures);
        Assert.Equal(count, records.Select(r => Text(r.Value)).Distinct().Count());
    }

    [Fact]
    public async Task Dispose_WithRecordsInFlight_FlushesThemFirst()
    {
        var transport = cluster.CreateTransport();
        var topic = await cluster.CreateTopicAsync(transport, partitions: 2);
        const int count = 500;
        var delivered = 0;
        Action<TransportReceipt, XinfraException?> onDelivered = (receipt, error) =>
        {
            if (error is null && receipt.Cluster == "test-cluster")
            {
                Interlocked.Increment(ref delivered);
            }
        };

        // One callback for every record: the transport shares one librdkafka handler between them.
        for (var i = 0; i < count; i++)
        {
            transport.Produce(topic, Outgoing($"k{i}", $"v{i}"), onDelivered);
        }

        await transport.DisposeAsync();

        Assert.Equal(count, Volatile.Read(ref delivered));
        await using var reader = cluster.CreateTransport();
        await using var consumer = reader.CreateConsumer(Spec(topic));
        Assert.Equal(count, (await ReadAsync(consumer, count)).Count);
    }

    [Fact]
    public async Task DescribeTopic_AfterProducing_ReportsPartitionsAndWatermarks()
    {
        await using var transport = cluster.CreateTransport();
        var topic = await cluster.CreateTopicAsync(transport, partitions: 2);
        await ProduceAsync(transport, topic, 10);

        var partitions = await transport.DescribeTopicAsync(topic, CancellationToken.None);

        Assert.Equal([0L, 1L], partitions.Select(p => p.TopicPartition.Partition));
        Assert.Equal(10, partitions.Sum(p => p.Watermarks.High - p.Watermarks.Low));
    }

    [Fact]
    public async Task EnsureTopic_Twice_CreatesOnce()
    {
        await using var transport = cluster.CreateTransport();
        var topic = KafkaClusterFixture.NewTopic(2);

        Assert.True(await transport.EnsureTopicAsync(topic, CancellationToken.None));
        Assert.False(await transport.EnsureTopicAsync(topic, CancellationToken.None));
    }

    [Fact]
    public async Task Ordering_ManyKeys_EachKeyReadInProducedOrder()
    {
        await using var transport = cluster.CreateTransport();
        var topic = await cluster.CreateTopicAsync(transport, partitions: 4);
        const int count = 3000;
        await ProduceAsync(transport, topic, count, key: i => $"key-{i % 25}");

        await using var consumer = transport.CreateConsumer(Spec(topic));
        var records = await ReadAsync(consumer, count);

        foreach (var group in records.GroupBy(r => Text(r.Key)))
        {
            var sequence = group.Select(r => int.Parse(Text(r.Value)![1..], System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(sequence.Order(), sequence);
            Assert.Single(group.Select(r => r.Position.Partition).Distinct());
        }
    }
}
