using Confluent.Kafka;
using Xinfra.Kafka.Testing;
using Xinfra.Kafka.Tests.Infrastructure;
using Xinfra.Transport;
using static Xinfra.Kafka.Tests.Infrastructure.TestRecords;

namespace Xinfra.Kafka.Tests.Faults;

/// <summary>Broker failures and request errors injected through the mock cluster: retries deliver every record exactly once.</summary>
public sealed class FaultInjectionTests(KafkaClusterFixture cluster) : IClassFixture<KafkaClusterFixture>
{
    private KafkaMockCluster Mock => cluster.Mock!;

    [MockOnlyFact]
    public async Task LeaderBrokerDown_WhileProducing_RetriesDeliverEveryRecordOnceInOrder()
    {
        await using var transport = cluster.CreateTransport();
        var topic = await cluster.CreateTopicAsync(transport, partitions: 1);
        Mock.SetPartitionLeader(topic.Name, 0, 1);
        await transport.ProduceAsync(topic, Outgoing("k", "warm-up"), CancellationToken.None);

        var sends = new List<Task<TransportReceipt>>();
        for (var i = 0; i < 300; i++)
        {
            sends.Add(transport.ProduceAsync(topic, Outgoing("k", $"v{i}"), CancellationToken.None).AsTask());
            if (i == 100)
            {
                Mock.SetBrokerDown(1);
            }

            if (i == 200)
            {
                await Task.Delay(300);
                Mock.SetBrokerUp(1);
            }
        }

        await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(30));
        await AssertExactlyOnceInOrderAsync(transport, topic, 300);
    }

    [MockOnlyFact]
    public async Task RetriableProduceErrors_Injected_RetriedWithoutLossOrDuplicates()
    {
        await using var transport = cluster.CreateTransport();
        var topic = await cluster.CreateTopicAsync(transport, partitions: 1);
        await transport.ProduceAsync(topic, Outgoing("k", "warm-up"), CancellationToken.None);

        Mock.PushRequestErrors(KafkaApiKey.Produce,
            ErrorCode.NotLeaderForPartition, ErrorCode.RequestTimedOut, ErrorCode.NotEnoughReplicas,
            ErrorCode.NotEnoughReplicasAfterAppend, ErrorCode.LeaderNotAvailable);
        var sends = new List<Task<TransportReceipt>>();
        for (var i = 0; i < 300; i++)
        {
            sends.Add(transport.ProduceAsync(topic, Outgoing("k", $"v{i}"), CancellationToken.None).AsTask());
        }

        await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(30));
        await AssertExactlyOnceInOrderAsync(transport, topic, 300);
    }

    [MockOnlyFact]
    public async Task LeaderMoves_WhileProducing_NoLossNoDuplicates()
    {
        await using var transport = cluster.CreateTransport();
        var topic = await cluster.CreateTopicAsync(transport, partitions: 1);
        Mock.SetPartitionLeader(topic.Name, 0, 1);
        await transport.ProduceAsync(topic, Outgoing("k", "warm-up"), CancellationToken.None);

        var sends = new List<Task<TransportReceipt>>();
        for (var i = 0; i < 300; i++)
        {
            sends.Add(transport.ProduceAsync(topic, Outgoing("k", $"v{i}"), CancellationToken.None).AsTask());
            if (i == 150)
            {
                Mock.SetPartitionLeader(topic.Name, 0, 2);
            }
        }

        await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(30));
        await AssertExactlyOnceInOrderAsync(transport, topic, 300);
    }

    [MockOnlyFact]
    public async Task ConsumerBrokerDown_WhileConsuming_ResumesWithoutLossOrDuplicates()
    {
        await using var transport = cluster.CreateTransport();
        var topic = await cluster.CreateTopicAsync(transport, partitions: 1);
        Mock.SetPartitionLeader(topic.Name, 0, 2);
        await ProduceAsync(transport, topic, 200);
        await using var consumer = transport.CreateConsumer(Spec(topic));

        var first = await ReadAsync(consumer, 50);
        Mock.SetBrokerDown(2);
        await Task.Delay(300);
        Mock.SetBrokerUp(2);
        var rest = await ReadAsync(consumer, 150, TimeSpan.FromSeconds(30));

        var values = first.Concat(rest).Select(r => Text(r.Value)).ToList();
        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"v{i}"), values);
    }

    private static async Task AssertExactlyOnceInOrderAsync(ITransport transport, PhysicalTopic topic, int count)
    {
        await using var consumer = transport.CreateConsumer(Spec(topic));
        var records = await ReadAsync(consumer, count + 1, TimeSpan.FromSeconds(30));
        var extra = await ReadUntilQuietAsync(consumer, TimeSpan.FromMilliseconds(500));

        Assert.Empty(extra);
        Assert.Equal(["warm-up", .. Enumerable.Range(0, count).Select(i => $"v{i}")], records.Select(r => Text(r.Value)));
    }
}
