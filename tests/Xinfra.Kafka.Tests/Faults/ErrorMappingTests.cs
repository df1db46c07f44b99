using Confluent.Kafka;
using Xinfra.Kafka.Testing;
using Xinfra.Kafka.Tests.Infrastructure;
using static Xinfra.Kafka.Tests.Infrastructure.TestRecords;

namespace Xinfra.Kafka.Tests.Faults;

/// <summary>Every failure surfaces as an <see cref="XinfraException"/> naming the logical topic and the cluster.</summary>
public sealed class ErrorMappingTests(KafkaClusterFixture cluster) : IClassFixture<KafkaClusterFixture>
{
    [Fact]
    public async Task Produce_UnknownTopic_ThrowsUnknownTopicNamingTopicAndCluster()
    {
        await using var transport = cluster.CreateTransport();
        var topic = KafkaClusterFixture.NewTopic(logical: "orders");

        var error = await Assert.ThrowsAsync<UnknownTopicException>(
            () => transport.ProduceAsync(topic, Outgoing("k", "v"), CancellationToken.None).AsTask());

        AssertNames(error, "orders");
    }

    [Fact]
    public async Task ProduceCallback_UnknownTopic_ReportsUnknownTopic()
    {
        await using var transport = cluster.CreateTransport();
        var topic = KafkaClusterFixture.NewTopic(logical: "orders");
        var reported = new TaskCompletionSource<XinfraException?>();

        transport.Produce(topic, Outgoing("k", "v"), (_, error) => reported.TrySetResult(error));

        var error = Assert.IsType<UnknownTopicException>(await reported.Task.WaitAsync(TestRecords.Timeout));
        AssertNames(error, "orders");
    }

    [Fact]
    public async Task Describe_UnknownTopic_ThrowsUnknownTopic()
    {
        await using var transport = cluster.CreateTransport();
        var topic = KafkaClusterFixture.NewTopic(logical: "payments");

        var error = await Assert.ThrowsAsync<UnknownTopicException>(
            () => transport.DescribeTopicAsync(topic, CancellationToken.None).AsTask());

        AssertNames(error, "payments");
    }

    [Fact]
    public async Task Produce_OversizedRecord_ThrowsRecordTooLargeWithSizeAndLimit()
    {
        await using var transport = cluster.CreateTransport(maxRecordBytes: 1000);
        var topic = await cluster.CreateTopicAsync(transport, partitions: 1);
        var record = Outgoing("k", new string('x', 2000));

        var error = await Assert.ThrowsAsync<RecordTooLargeException>(
            () => transport.ProduceAsync(topic, record, CancellationToken.None).AsTask());

        AssertNames(error, topic.LogicalTopic);
        Assert.Equal(1000, error.Limit);
        Assert.Equal(2001, error.Size);
    }

    [MockOnlyFact]
    public async Task Produce_BrokerRefusesSize_ThrowsRecordTooLarge()
    {
        await using var transport = cluster.CreateTransport();
        var topic = await cluster.CreateTopicAsync(transport, partitions: 1);
        await transport.ProduceAsync(topic, Outgoing("k", "warm-up"), CancellationToken.None);
        cluster.Mock!.PushRequestErrors(KafkaApiKey.Produce, ErrorCode.MsgSizeTooLarge);

        var error = await Assert.ThrowsAsync<RecordTooLargeException>(
            () => transport.ProduceAsync(topic, Outgoing("k", "v"), CancellationToken.None).AsTask());

        AssertNames(error, topic.LogicalTopic);
    }

    [MockOnlyFact]
    public async Task Produce_NotAuthorized_ThrowsAuthorization()
    {
        await using var transport = cluster.CreateTransport();
        var topic = await cluster.CreateTopicAsync(transport, partitions: 1);
        await transport.ProduceAsync(topic, Outgoing("k", "warm-up"), CancellationToken.None);
        cluster.Mock!.PushRequestErrors(KafkaApiKey.Produce, ErrorCode.TopicAuthorizationFailed);

        var error = await Assert.ThrowsAsync<AuthorizationException>(
            () => transport.ProduceAsync(topic, Outgoing("k", "v"), CancellationToken.None).AsTask());

        AssertNames(error, topic.LogicalTopic);
    }

    [Fact]
    public async Task Produce_UnreachableBootstrap_ThrowsClusterUnavailable()
    {
        await using var transport = cluster.CreateTransport(
            bootstrap: "127.0.0.1:1",
            configure: o => o.RequestTimeout = TimeSpan.FromSeconds(2));
        var topic = KafkaClusterFixture.NewTopic(logical: "orders");

        var error = await Assert.ThrowsAsync<ClusterUnavailableException>(
            () => transport.ProduceAsync(topic, Outgoing("k", "v"), CancellationToken.None).AsTask());

        AssertNames(error, "orders");
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task Describe_UnreachableCluster_CancelledByCaller_StopsWaiting()
    {
        await using var transport = cluster.CreateTransport(
            bootstrap: "127.0.0.1:1",
            configure: o => o.RequestTimeout = TimeSpan.FromSeconds(3));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var started = System.Diagnostics.Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => transport.DescribeTopicAsync(KafkaClusterFixture.NewTopic(), cts.Token).AsTask());

        Assert.True(started.Elapsed < TimeSpan.FromSeconds(2), $"took {started.Elapsed}");
    }

    [Fact]
    public async Task Consume_UnknownTopic_ThrowsUnknownTopic()
    {
        await using var transport = cluster.CreateTransport();
        var topic = KafkaClusterFixture.NewTopic(logical: "missing");
        await using var consumer = transport.CreateConsumer(Spec(topic));

        var error = await Assert.ThrowsAsync<UnknownTopicException>(() => ReadAsync(consumer, 1));

        AssertNames(error, "missing");
    }

    [Fact]
    public async Task Produce_AfterDispose_ThrowsProduceException()
    {
        var transport = cluster.CreateTransport();
        var topic = await cluster.CreateTopicAsync(transport, partitions: 1);
        await transport.DisposeAsync();

        var error = await Assert.ThrowsAsync<ProduceException>(
            () => transport.ProduceAsync(topic, Outgoing("k", "v"), CancellationToken.None).AsTask());

        AssertNames(error, topic.LogicalTopic);
    }

    private static void AssertNames(XinfraException error, string logicalTopic)
    {
        Assert.Equal(logicalTopic, error.Topic);
        Assert.Equal("test-cluster", error.Cluster);
        Assert.Contains(logicalTopic, error.Message, StringComparison.Ordinal);
        Assert.Contains("test-cluster", error.Message, StringComparison.Ordinal);
    }
}
