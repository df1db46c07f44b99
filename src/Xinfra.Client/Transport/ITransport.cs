namespace Xinfra.Transport;

/// <summary>
/// The one seam between Xinfra's client layer and a physical cluster. A transport is one connection to one cluster,
/// shared by every producer and consumer of the application, and thread-safe.
/// </summary>
public interface ITransport : IAsyncDisposable
{
    /// <summary>What kind of cluster this transport reaches.</summary>
    ClusterKind Kind { get; }

    /// <summary>The cluster name from configuration.</summary>
    string Cluster { get; }

    /// <summary>
    /// Writes one record and completes when the cluster has made it durable (for Kafka, acks=all with idempotence;
    /// for Northguard, fsynced on every replica). Throws an <see cref="XinfraException"/> naming the topic on failure.
    /// </summary>
    ValueTask<TransportReceipt> ProduceAsync(PhysicalTopic topic, OutgoingRecord record, CancellationToken cancellationToken);

    /// <summary>
    /// Writes one record without waiting: the high-throughput path. <paramref name="onDelivered"/> runs once with the
    /// receipt or the error, on a transport thread; it must be quick and must not throw.
    /// </summary>
    void Produce(PhysicalTopic topic, OutgoingRecord record, Action<TransportReceipt, XinfraException?> onDelivered);

    /// <summary>Completes when every record passed to <see cref="Produce"/> so far was delivered or failed.</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken);

    /// <summary>Creates a group member that reads the given topics; see <see cref="ITransportConsumer"/>.</summary>
    ITransportConsumer CreateConsumer(ConsumerSpec spec);

    /// <summary>Creates the topic if it does not exist; returns true when it was created.</summary>
    ValueTask<bool> EnsureTopicAsync(PhysicalTopic topic, CancellationToken cancellationToken);

    /// <summary>
    /// A consumer group as the cluster sees it, without joining it: how many members are active and the group's
    /// committed positions in <paramref name="topic"/> (offset -1 where none). Migration cutover waits on this.
    /// </summary>
    ValueTask<GroupDescription> DescribeGroupAsync(string groupId, PhysicalTopic topic, CancellationToken cancellationToken);

    /// <summary>The partitions (or ranges) of a topic and their watermarks; throws <see cref="UnknownTopicException"/> if absent.</summary>
    ValueTask<IReadOnlyList<PartitionInfo>> DescribeTopicAsync(PhysicalTopic topic, CancellationToken cancellationToken);
}

/// <summary>A consumer group's members and committed positions in one topic.</summary>
/// <param name="GroupId">The group.</param>
/// <param name="Members">Active members (0 when the group is empty or unknown; -1 when the cluster cannot tell).</param>
/// <param name="Committed">Committed position per partition of the topic; -1 where none.</param>
public sealed record GroupDescription(string GroupId, int Members, IReadOnlyList<TopicPartitionOffset> Committed);

/// <summary>One partition of a described topic.</summary>
/// <param name="TopicPartition">The partition.</param>
/// <param name="Watermarks">Its low and high watermarks.</param>
public readonly record struct PartitionInfo(TopicPartition TopicPartition, WatermarkOffsets Watermarks);
