using System.Globalization;
using Xinfra.Client.Tests.Support;
using Xinfra.Transport;

namespace Xinfra.Client.Tests.Consuming;

public sealed class ConsumerTests
{
    private static async Task ProduceAsync(IXinfraProducer<string, string> producer, int count, int keys = 5, int start = 0)
    {
        for (var i = start; i < start + count; i++)
        {
            await producer.ProduceAsync($"key-{i % keys}", i.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static async Task<List<ConsumeResult<string, string>>> TakeAsync(IXinfraConsumer<string, string> consumer, int count)
    {
        var results = new List<ConsumeResult<string, string>>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await foreach (var result in consumer.ConsumeAsync(timeout.Token))
        {
            results.Add(result);
            if (results.Count == count)
            {
                break;
            }
        }

        return results;
    }

    [Fact]
    public async Task Consume_RoundTrip_KeepsPerKeyOrderAndMetadata()
    {
        await using var host = TestHost.FromJson(TestHost.SingleTopic);
        await using var producer = host.Client.CreateProducer<string, string>("orders");
        await ProduceAsync(producer, 100);
        await using var consumer = host.Client.CreateConsumer<string, string>("orders", new ConsumerOptions<string, string> { GroupId = "g1" });

        var results = await TakeAsync(consumer, 100);

        Assert.Equal(Enumerable.Range(0, 100).Select(i => i.ToString(CultureInfo.InvariantCulture)).Order(), results.Select(r => r.Value!).Order());
        foreach (var perKey in results.GroupBy(r => r.Key))
        {
            var values = perKey.Select(r => int.Parse(r.Value!, CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(values.Order(), values);
            Assert.Single(perKey.Select(r => r.Position.Partition).Distinct());
        }

        Assert.All(results, r =>
        {
            Assert.Equal("orders", r.Topic);
            Assert.Equal("mem", r.Cluster);
            Assert.Equal(0, r.Epoch);
            Assert.NotNull(r.MessageId);
        });
        Assert.Equal(3, consumer.Assignment.Count);
    }

    [Fact]
    public async Task NullKeyAndValue_StayNull_AndNullKeysSpreadOverPartitions()
    {
        await using var host = TestHost.FromJson(TestHost.SingleTopic);
        await using var producer = host.Client.CreateProducer<string, string>("orders");
        var partitions = new HashSet<long>();
        for (var i = 0; i < 6; i++)
        {
            partitions.Add((await producer.ProduceAsync(new XinfraMessage<string, string> { Key = null, Value = null! })).Partition);
        }

        Assert.Equal(3, partitions.Count);
        await using var consumer = host.Client.CreateConsumer<string, string>("orders", new ConsumerOptions<string, string> { GroupId = "g" });
        var read = await TakeAsync(consumer, 6);
        Assert.All(read, r => Assert.Null(r.Key));
        Assert.All(read, r => Assert.Null(r.Value));
    }

    [Fact]
    public async Task ManualCommit_ThenRestart_ResumesAfterTheCommittedRecord()
    {
        await using var host = TestHost.FromJson(TestHost.SingleTopic);
        await using var producer = host.Client.CreateProducer<string, string>("orders");
        await ProduceAsync(producer, 20, keys: 1);
        var options = new ConsumerOptions<string, string> { GroupId = "g", CommitMode = CommitMode.Manual };

        await using (var first = host.Client.CreateConsumer("orders", options))
        {
            var read = await TakeAsync(first, 12);
            await first.CommitAsync(read[9]);
        }

        await using var second = host.Client.CreateConsumer("orders", options);
        var next = await TakeAsync(second, 10);
        Assert.Equal(Enumerable.Range(10, 10).Select(i => i.ToString(CultureInfo.InvariantCulture)), next.Select(r => r.Value));
    }

    [Fact]
    public async Task AfterProcessing_BreakLeavesLastRecordUnprocessed_SoItIsDeliveredAgain()
    {
        await using var host = TestHost.FromJson(TestHost.SingleTopic);
        await using var producer = host.Client.CreateProducer<string, string>("orders");
        await ProduceAsync(producer, 20, keys: 1);
        var options = new ConsumerOptions<string, string> { GroupId = "g" };

        await using (var first = host.Client.CreateConsumer("orders", options))
        {
            await TakeAsync(first, 5);
        }

        await using var second = host.Client.CreateConsumer("orders", options);
        var next = await TakeAsync(second, 1);
        Assert.Equal("4", next[0].Value);
    }

    [Fact]
    public async Task Seek_ReadsAgainFromTheGivenOffset()
    {
        await using var host = TestHost.FromJson(TestHost.SingleTopic);
        await using var producer = host.Client.CreateProducer<string, string>("orders");
        await ProduceAsync(producer, 10, keys: 1);
        await using var consumer = host.Client.CreateConsumer<string, string>("orders", new ConsumerOptions<string, string> { GroupId = "g" });
        var firstPass = await TakeAsync(consumer, 10);

        consumer.Seek(firstPass[0].Position.TopicPartition, 7);
        var again = await TakeAsync(consumer, 3);

        Assert.Equal(["7", "8", "9"], again.Select(r => r.Value));
    }

    [Fact]
    public async Task SeekToTime_StartsAtTheFirstRecordAtOrAfterIt()
    {
        await using var host = TestHost.FromJson(TestHost.SingleTopic);
        await using var producer = host.Client.CreateProducer<string, string>("orders");
        var t0 = new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 10; i++)
        {
            await producer.ProduceAsync(new XinfraMessage<string, string> { Key = "k", Value = $"{i}", Timestamp = t0.AddMinutes(i) });
        }

        await using var consumer = host.Client.CreateConsumer<string, string>("orders", new ConsumerOptions<string, string> { GroupId = "g" });
        await TakeAsync(consumer, 10);
        await consumer.SeekToTimeAsync(t0.AddMinutes(6).AddSeconds(-1));
        var read = await TakeAsync(consumer, 4);
        Assert.Equal(["6", "7", "8", "9"], read.Select(r => r.Value));
    }

    [Fact]
    public async Task Seek_BeforeJoining_ThrowsClearError()
    {
        await using var host = TestHost.FromJson(TestHost.SingleTopic);
        await using var consumer = host.Client.CreateConsumer<string, string>("orders", new ConsumerOptions<string, string> { GroupId = "g" });
        var error = Assert.Throws<ConsumeException>(() => consumer.Seek(new TopicPartition("orders.v1", 0), 0));
        Assert.Contains("before the consumer has joined", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConsumeAsync_Twice_IsRefusedEagerly()
    {
        await using var host = TestHost.FromJson(TestHost.SingleTopic);
        await using var consumer = host.Client.CreateConsumer<string, string>("orders", new ConsumerOptions<string, string> { GroupId = "g" });
        _ = consumer.ConsumeAsync();
        Assert.Throws<InvalidOperationException>(() => consumer.ConsumeAsync());
    }

    [Fact]
    public async Task CreateConsumer_WithoutGroupId_Throws()
    {
        await using var host = TestHost.FromJson(TestHost.SingleTopic);
        Assert.Throws<ArgumentException>(() => host.Client.CreateConsumer<string, string>("orders", new ConsumerOptions<string, string> { GroupId = " " }));
    }

    [Fact]
    public async Task Deserialization_Failure_NamesTopic()
    {
        await using var host = TestHost.FromJson(TestHost.SingleTopic);
        await using var producer = host.Client.CreateProducer<string, byte[]>("orders");
        await producer.ProduceAsync("k", [0xFF, 0xFE]);
        await using var consumer = host.Client.CreateConsumer<string, string>("orders", new ConsumerOptions<string, string> { GroupId = "g" });
        var error = await Assert.ThrowsAsync<SerializationException>(() => TakeAsync(consumer, 1));
        Assert.Equal("orders", error.Topic);
    }
}
