using System.Diagnostics;
using System.Text;
using Xinfra.Client.Tests.Support;

namespace Xinfra.Client.Tests.Producing;

public sealed class ProducerTests
{
    [Fact]
    public async Task ProduceAsync_StoresKeyValueHeadersTimestamp_AndStampsMessageId()
    {
        await using var host = TestHost.FromJson(TestHost.SingleTopic);
        await using var producer = host.Client.CreateProducer<string, string>("orders");
        var at = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

        var receipt = await producer.ProduceAsync(new XinfraMessage<string, string>
        {
            Key = "customer-7",
            Value = "hello",
            Headers = new XinfraHeaders().Add("source", "test").Add("source", "again"),
            Timestamp = at,
        });

        Assert.Equal("orders", receipt.Topic);
        Assert.Equal("mem", receipt.Cluster);
        Assert.Equal(MigrationPhase.SourceOnly, receipt.Phase);
        var stored = host.Cluster("mem-1").ReadAll("orders.v1", (int)receipt.Partition)[(int)receipt.Offset];
        Assert.Equal("customer-7", Encoding.UTF8.GetString(stored.Key!.Value.Span));
        Assert.Equal("hello", Encoding.UTF8.GetString(stored.Value!.Value.Span));
        Assert.Equal(at, stored.Timestamp);
        var headers = new XinfraHeaders(stored.Headers);
        Assert.Equal(["test", "again"], headers.Where(h => h.Name == "source").Select(h => Encoding.UTF8.GetString(h.Value.Span)));
        Assert.True(headers.TryGetString("source", out var last));
        Assert.Equal("again", last);
        Assert.True(headers.TryGetString(RecordHeaderNames.MessageId, out var id));
        Assert.Equal(receipt.MessageId, id);
        Assert.EndsWith(":1", id, StringComparison.Ordinal);
        Assert.True(headers.TryGetString(RecordHeaderNames.ProducedAt, out var producedAt));
        Assert.Equal(at.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture), producedAt);
    }

    [Fact]
    public async Task ProduceAsync_SameKey_SamePartition_InOrder()
    {
        await using var host = TestHost.FromJson(TestHost.SingleTopic);
        await using var producer = host.Client.CreateProducer<string, string>("orders");
        var partitions = new HashSet<long>();
        for (var i = 0; i < 50; i++)
        {
            var receipt = await producer.ProduceAsync("k", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            partitions.Add(receipt.Partition);
            Assert.Equal(i, receipt.Offset);
        }

        Assert.Single(partitions);
    }

    [Fact]
    public async Task ProduceAsync_TooLarge_ThrowsBeforeWritingAnything()
    {
        await using var host = TestHost.FromJson("""
            { "Xinfra": { "Clusters": { "mem": { "Kind": "InMemory", "Bootstrap": "m", "MaxRecordBytes": 100 } },
                          "Topics": { "orders": { "Cluster": "mem" } } } }
            """);
        await using var producer = host.Client.CreateProducer<string, byte[]>("orders");
        await producer.ProduceAsync("k", new byte[10]);

        var error = await Assert.ThrowsAsync<RecordTooLargeException>(async () => await producer.ProduceAsync("k", new byte[500]));
        Assert.Equal("orders", error.Topic);
        Assert.Equal("mem", error.Cluster);
        Assert.Equal(100, error.Limit);
        Assert.Contains("MaxRecordBytes", error.Message, StringComparison.Ordinal);
        var total = Enumerable.Range(0, 3).Sum(p => host.Cluster("m").ReadAll("orders", p).Count);
        Assert.Equal(1, total);
    }

    [Fact]
    public async Task Produce_FireAndForget_DeliversEveryRecord_AfterFlush()
    {
        await using var host = TestHost.FromJson(TestHost.SingleTopic);
        await using var producer = host.Client.CreateProducer<string, string>("orders");
        var delivered = 0;
        var failed = 0;
        for (var i = 0; i < 1000; i++)
        {
            producer.Produce(new XinfraMessage<string, string> { Key = $"k{i % 10}", Value = "v" }, report =>
            {
                if (report.Succeeded)
                {
                    Interlocked.Increment(ref delivered);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                }
            });
        }

        await producer.FlushAsync();
        Assert.Equal(1000, Volatile.Read(ref delivered));
        Assert.Equal(0, failed);
        Assert.Equal(1000, Enumerable.Range(0, 3).Sum(p => host.Cluster("mem-1").ReadAll("orders.v1", p).Count));
    }

    [Fact]
    public async Task ProduceAsync_WithAmbientActivity_CarriesTraceParent()
    {
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == XinfraTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        await using var host = TestHost.FromJson(TestHost.SingleTopic);
        await using var producer = host.Client.CreateProducer<string, string>("orders");

        var receipt = await producer.ProduceAsync("k", "v");

        var stored = host.Cluster("mem-1").ReadAll("orders.v1", (int)receipt.Partition)[(int)receipt.Offset];
        Assert.True(new XinfraHeaders(stored.Headers).TryGetString(RecordHeaderNames.TraceParent, out var traceParent));
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$", traceParent);
    }

    [Fact]
    public async Task Consume_ExposesTheProducersTraceContext()
    {
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == XinfraTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        using var parent = new Activity("checkout").SetIdFormat(ActivityIdFormat.W3C).Start();
        await using var host = TestHost.FromJson(TestHost.SingleTopic);
        await using var producer = host.Client.CreateProducer<string, string>("orders");
        await producer.ProduceAsync("k", "v");
        parent.Stop();

        await using var consumer = host.Client.CreateConsumer<string, string>("orders", new ConsumerOptions<string, string> { GroupId = "g" });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await foreach (var result in consumer.ConsumeAsync(timeout.Token))
        {
            Assert.Equal(parent.TraceId, result.ProducerContext.TraceId);
            Assert.True(result.ProducerContext.IsRemote);
            break;
        }
    }

    [Fact]
    public async Task ProduceAsync_UserHeadersInXinfraNamespace_AreNotForged()
    {
        await using var host = TestHost.FromJson(TestHost.SingleTopic);
        await using var producer = host.Client.CreateProducer<string, string>("orders");
        var receipt = await producer.ProduceAsync(new XinfraMessage<string, string>
        {
            Key = "k",
            Value = "v",
            Headers = new XinfraHeaders().Add(RecordHeaderNames.MessageId, "forged"),
        });

        var stored = host.Cluster("mem-1").ReadAll("orders.v1", (int)receipt.Partition)[(int)receipt.Offset];
        Assert.Single(stored.Headers, h => h.Name == RecordHeaderNames.MessageId);
        Assert.True(new XinfraHeaders(stored.Headers).TryGetString(RecordHeaderNames.MessageId, out var id));
        Assert.Equal(receipt.MessageId, id);
    }
}
