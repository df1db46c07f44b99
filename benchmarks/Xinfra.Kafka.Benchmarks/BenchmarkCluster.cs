using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xinfra.Kafka.Native;
using Xinfra.Kafka.Testing;
using Xinfra.Transport;

namespace Xinfra.Kafka.Benchmarks;

/// <summary>The mock cluster shared by every benchmark of the process, and identically configured clients.</summary>
internal static class BenchmarkCluster
{
    public const string ClusterName = "bench";

    private static readonly Lazy<KafkaMockCluster> Cluster = new(() => KafkaMockCluster.Start(brokers: 1));

    public static string Bootstrap => Cluster.Value.BootstrapServers;

    /// <summary>The settings both clients use (the transport adds the same ones as defaults).</summary>
    public static ProducerConfig RawProducerConfig() => new()
    {
        BootstrapServers = Bootstrap,
        EnableIdempotence = true,
        Acks = Acks.All,
        LingerMs = 5,
        Partitioner = Partitioner.Murmur2Random,
        MessageTimeoutMs = 30_000,
        StatisticsIntervalMs = 5_000,
        AllowAutoCreateTopics = false,
    };

    public static ConsumerConfig RawConsumerConfig(string group) => new()
    {
        BootstrapServers = Bootstrap,
        GroupId = group,
        AutoOffsetReset = Confluent.Kafka.AutoOffsetReset.Earliest,
        EnableAutoCommit = false,
        EnableAutoOffsetStore = false,
        PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
        StatisticsIntervalMs = 5_000,
    };

    public static ITransport CreateTransport()
    {
        KafkaNative.EnsureLoaded();
        var options = new ClusterOptions { Kind = ClusterKind.Kafka, Bootstrap = Bootstrap };
        var context = new TransportContext(ClusterName, options, null, "xinfra-bench", NullLoggerFactory.Instance, TimeProvider.System);
        return new KafkaTransportFactory(Options.Create(new KafkaTransportOptions { ReplicationFactor = 1 })).Create(context);
    }

    public static PhysicalTopic CreateTopic(string prefix, int partitions)
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..24];
        Cluster.Value.CreateTopic(name, partitions);
        return new PhysicalTopic(name, ClusterName, name, partitions);
    }

    public static void Shutdown()
    {
        if (Cluster.IsValueCreated)
        {
            Cluster.Value.Dispose();
        }
    }
}
