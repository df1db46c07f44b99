namespace Xinfra.Transport;

/// <summary>
/// One member of a consumer group on one cluster. Not thread-safe: one reader at a time, as with a Kafka consumer.
/// Rebalance notifications reach <see cref="ConsumerSpec.Listener"/> from inside <see cref="ReadAsync"/>.
/// </summary>
public interface ITransportConsumer : IAsyncDisposable
{
    /// <summary>The partitions this member owns now.</summary>
    IReadOnlyList<TopicPartition> Assignment { get; }

    /// <summary>
    /// Waits for the next record of an assigned partition. Joins the group on first call. Throws
    /// <see cref="OperationCanceledException"/> when cancelled and <see cref="XinfraException"/> on failure.
    /// </summary>
    ValueTask<IncomingRecord> ReadAsync(CancellationToken cancellationToken);

    /// <summary>Stores committed positions (the next offset to read) for the group, durably.</summary>
    ValueTask CommitAsync(IReadOnlyList<TopicPartitionOffset> positions, CancellationToken cancellationToken);

    /// <summary>The group's committed positions for <paramref name="partitions"/>; offset -1 where none.</summary>
    ValueTask<IReadOnlyList<TopicPartitionOffset>> GetCommittedAsync(IReadOnlyList<TopicPartition> partitions, CancellationToken cancellationToken);

    /// <summary>Moves the read position of an assigned partition.</summary>
    void Seek(TopicPartitionOffset position);

    /// <summary>For each partition, the earliest offset whose timestamp is at or after <paramref name="timestamp"/> (the high watermark if none).</summary>
    ValueTask<IReadOnlyList<TopicPartitionOffset>> OffsetsForTimeAsync(IReadOnlyList<TopicPartition> partitions, DateTimeOffset timestamp, CancellationToken cancellationToken);

    /// <summary>The watermarks of one partition.</summary>
    ValueTask<WatermarkOffsets> GetWatermarksAsync(TopicPartition partition, CancellationToken cancellationToken);

    /// <summary>Stops returning records of <paramref name="partitions"/> until resumed; keeps group membership.</summary>
    void Pause(IReadOnlyList<TopicPartition> partitions);

    /// <summary>Resumes paused partitions.</summary>
    void Resume(IReadOnlyList<TopicPartition> partitions);
}
