using Xinfra.Internal;
using Xinfra.Transport;

namespace Xinfra.InMemory;

/// <summary>An <see cref="ITransport"/> over an <see cref="InMemoryCluster"/>: real partitions, offsets and consumer groups, no network.</summary>
public sealed class InMemoryTransport : ITransport
{
    private readonly InMemoryCluster _cluster;
    private readonly int _maxRecordBytes;
    private int _roundRobin;

    /// <summary>Creates a transport named <paramref name="clusterName"/> over <paramref name="cluster"/>.</summary>
    public InMemoryTransport(string clusterName, InMemoryCluster cluster, int maxRecordBytes = 1024 * 1024)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        Cluster = clusterName;
        _cluster = cluster;
        _maxRecordBytes = maxRecordBytes;
    }

    /// <inheritdoc />
    public ClusterKind Kind => ClusterKind.InMemory;

    /// <inheritdoc />
    public string Cluster { get; }

    /// <inheritdoc />
    public ValueTask<TransportReceipt> ProduceAsync(PhysicalTopic topic, OutgoingRecord record, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Append(topic, record));
    }

    /// <inheritdoc />
    public void Produce(PhysicalTopic topic, OutgoingRecord record, Action<TransportReceipt, XinfraException?> onDelivered)
    {
        ArgumentNullException.ThrowIfNull(onDelivered);
        TransportReceipt receipt;
        try
        {
            receipt = Append(topic, record);
        }
        catch (XinfraException ex)
        {
            onDelivered(default, ex);
            return;
        }

        onDelivered(receipt, null);
    }

    /// <inheritdoc />
    public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ITransportConsumer CreateConsumer(ConsumerSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new InMemoryConsumer(Cluster, _cluster, spec);
    }

    /// <inheritdoc />
    public ValueTask<bool> EnsureTopicAsync(PhysicalTopic topic, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(topic);
        return ValueTask.FromResult(_cluster.CreateTopic(topic.Name, topic.Partitions));
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<PartitionInfo>> DescribeTopicAsync(PhysicalTopic topic, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(topic);
        lock (_cluster.Sync)
        {
            if (!_cluster.TryGetPartitions(topic.Name, out var partitions))
            {
                throw Unknown(topic);
            }

            var result = new PartitionInfo[partitions.Length];
            for (var i = 0; i < partitions.Length; i++)
            {
                result[i] = new PartitionInfo(new TopicPartition(topic.Name, i), new WatermarkOffsets(0, partitions[i].Count));
            }

            return ValueTask.FromResult<IReadOnlyList<PartitionInfo>>(result);
        }
    }

    /// <inheritdoc />
    public ValueTask<GroupDescription> DescribeGroupAsync(string groupId, PhysicalTopic topic, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(topic);
        lock (_cluster.Sync)
        {
            var committed = new List<TopicPartitionOffset>();
            var partitions = _cluster.PartitionCount(topic.Name);
            var group = _cluster.Group(groupId);
            for (var i = 0; i < partitions; i++)
            {
                var tp = new TopicPartition(topic.Name, i);
                committed.Add(new TopicPartitionOffset(tp, group.Committed(tp)));
            }

            return ValueTask.FromResult(new GroupDescription(groupId, group.MemberCount, committed));
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private TransportReceipt Append(PhysicalTopic topic, OutgoingRecord record)
    {
        var size = record.SizeInBytes;
        if (size > _maxRecordBytes)
        {
            throw new RecordTooLargeException(
                $"Topic '{topic.LogicalTopic}' on cluster '{Cluster}': the record is {size} bytes; the limit is {_maxRecordBytes}.", size, _maxRecordBytes)
            { Topic = topic.LogicalTopic, Cluster = Cluster };
        }

        if (_cluster.FailProduces)
        {
            throw new ClusterUnavailableException($"Topic '{topic.LogicalTopic}': in-memory cluster '{Cluster}' refuses produces (fault injection: FailProduces).")
            { Topic = topic.LogicalTopic, Cluster = Cluster };
        }

        var count = _cluster.PartitionCount(topic.Name);
        if (count == 0)
        {
            throw Unknown(topic);
        }

        var partition = record.Key is { } key
            ? Murmur2.Partition(key.Span, count)
            : (int)((uint)Interlocked.Increment(ref _roundRobin) % (uint)count);
        var stored = _cluster.Append(topic.Name, partition, record);
        return new TransportReceipt(Cluster, new TopicPartitionOffset(new TopicPartition(topic.Name, partition), stored.Offset), stored.Timestamp);
    }

    private UnknownTopicException Unknown(PhysicalTopic topic) =>
        new($"Topic '{topic.LogicalTopic}': physical topic '{topic.Name}' does not exist on cluster '{Cluster}'.")
        { Topic = topic.LogicalTopic, Cluster = Cluster };
}
