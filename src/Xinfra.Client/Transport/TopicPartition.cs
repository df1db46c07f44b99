namespace Xinfra.Transport;

/// <summary>A partition (Kafka) or key range (Northguard) of a physical topic.</summary>
/// <param name="Topic">The physical topic name.</param>
/// <param name="Partition">The partition number, or the range id.</param>
public readonly record struct TopicPartition(string Topic, long Partition)
{
    /// <inheritdoc />
    public override string ToString() => $"{Topic}[{Partition}]";
}

/// <summary>A position in a partition: the offset of the next record to read.</summary>
/// <param name="TopicPartition">The partition.</param>
/// <param name="Offset">The offset.</param>
public readonly record struct TopicPartitionOffset(TopicPartition TopicPartition, long Offset)
{
    /// <summary>The physical topic name.</summary>
    public string Topic => TopicPartition.Topic;

    /// <summary>The partition number or range id.</summary>
    public long Partition => TopicPartition.Partition;

    /// <inheritdoc />
    public override string ToString() => $"{TopicPartition}@{Offset}";
}

/// <summary>The first offset still stored and the offset the next record will get.</summary>
/// <param name="Low">The low watermark.</param>
/// <param name="High">The high watermark.</param>
public readonly record struct WatermarkOffsets(long Low, long High);
