using Xinfra.Client.Tests.Support;

namespace Xinfra.Client.Tests.Producing;

[Collection(nameof(FlakyTransportFactory))]
public sealed class DualWriteTests
{
    [Fact]
    public async Task DualWrite_BothClustersHoldTheRecord_WithTheSameMessageId()
    {
        await using var host = TestHost.FromJson(TestHost.Migrating("DualWriteReadSource"));
        await using var producer = host.Client.CreateProducer<string, string>("orders");

        var receipt = await producer.ProduceAsync("k", "v");

        Assert.Equal(["old", "new"], receipt.Copies.Select(c => c.Cluster));
        var oldCopy = host.Cluster("old-1").ReadAll("orders.kafka", (int)receipt.Copies[0].Position.Partition).Single();
        var newCopy = host.Cluster("new-1").ReadAll("orders.ng", (int)receipt.Copies[1].Position.Partition).Single();
        foreach (var copy in new[] { oldCopy, newCopy })
        {
            var headers = new XinfraHeaders(copy.Headers);
            Assert.True(headers.TryGetString(RecordHeaderNames.MessageId, out var id));
            Assert.Equal(receipt.MessageId, id);
            Assert.True(headers.TryGetString(RecordHeaderNames.Phase, out var phase));
            Assert.Equal("DualWriteReadSource", phase);
        }

        Assert.Equal(oldCopy.Timestamp, newCopy.Timestamp);
        Assert.True(new XinfraHeaders(newCopy.Headers).TryGetString(RecordHeaderNames.SourcePosition, out var source));
        Assert.Equal($"{receipt.Copies[0].Position.Partition}:{receipt.Copies[0].Position.Offset}", source);
        Assert.False(new XinfraHeaders(oldCopy.Headers).TryGetString(RecordHeaderNames.SourcePosition, out _));
    }

    [Fact]
    public async Task DualWrite_OneSideDown_RetriesThenReportsWhichSideHasTheRecord()
    {
        var json = TestHost.Migrating("DualWriteReadSource").Replace("\"Kind\": \"InMemory\", \"Bootstrap\": \"new-1\"", "\"Kind\": \"Northguard\", \"Bootstrap\": \"new-1\"", StringComparison.Ordinal);
        await using var host = TestHost.FromJson(json, b => b.AddTransport<FlakyTransportFactory>());
        await using var producer = host.Client.CreateProducer("orders", new ProducerOptions<string, string> { MaxRetryAttempts = 2, RetryBaseDelay = TimeSpan.FromMilliseconds(1) });
        FlakyTransportFactory.Failing = true;
        FlakyTransportFactory.Attempts = 0;
        try
        {
            var error = await Assert.ThrowsAsync<ProduceException>(async () => await producer.ProduceAsync("k", "v"));

            Assert.Equal("orders", error.Topic);
            Assert.Equal("new", error.Cluster);
            Assert.Equal("DualWriteReadSource", error.Phase);
            Assert.Contains("durable on cluster 'old'", error.Message, StringComparison.Ordinal);
            Assert.Contains("failed on cluster 'new'", error.Message, StringComparison.Ordinal);
            Assert.IsType<ClusterUnavailableException>(error.InnerException);
            Assert.Equal(3, FlakyTransportFactory.Attempts);
            Assert.Contains("dual write incomplete", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            FlakyTransportFactory.Failing = false;
        }

        var receipt = await producer.ProduceAsync("k", "after recovery");
        Assert.Equal(2, receipt.Copies.Count);
    }

    [Fact]
    public async Task DualWrite_SourceDown_WritesNothingToTheTarget()
    {
        var json = TestHost.Migrating("DualWriteReadSource").Replace("\"Kind\": \"InMemory\", \"Bootstrap\": \"old-1\"", "\"Kind\": \"Northguard\", \"Bootstrap\": \"old-1\"", StringComparison.Ordinal);
        await using var host = TestHost.FromJson(json, b => b.AddTransport<FlakyTransportFactory>());
        await using var producer = host.Client.CreateProducer("orders", new ProducerOptions<string, string> { MaxRetryAttempts = 1, RetryBaseDelay = TimeSpan.FromMilliseconds(1) });
        await producer.ProduceAsync("k", "first");
        FlakyTransportFactory.Failing = true;
        try
        {
            var error = await Assert.ThrowsAsync<ProduceException>(async () => await producer.ProduceAsync("k", "v"));
            Assert.Equal("old", error.Cluster);
            Assert.Contains("nothing was written to 'new'", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            FlakyTransportFactory.Failing = false;
        }

        var onTarget = Enumerable.Range(0, 4).Sum(p => host.Cluster("new-1").ReadAll("orders.ng", p).Count);
        Assert.Equal(1, onTarget);
    }

    [Fact]
    public async Task TargetOnly_WritesOnlyTheTarget()
    {
        await using var host = TestHost.FromJson(TestHost.Migrating("TargetOnly"));
        await using var producer = host.Client.CreateProducer<string, string>("orders");
        var receipt = await producer.ProduceAsync("k", "v");
        Assert.Equal("new", Assert.Single(receipt.Copies).Cluster);
        Assert.Equal(0, host.Cluster("old-1").PartitionCount("orders.kafka"));
    }
}

[CollectionDefinition(nameof(FlakyTransportFactory), DisableParallelization = true)]
public sealed class FlakyTransportCollection;
