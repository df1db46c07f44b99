using Xinfra.Transport;

namespace Xinfra;

/// <summary>
/// A member of a consumer group reading one logical topic. Not thread-safe: one enumeration at a time. Reads the
/// epoch the topic's phase names, and follows a phase flip live.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public interface IXinfraConsumer<TKey, TValue> : IAsyncDisposable
{
    /// <summary>The logical topic.</summary>
    string Topic { get; }

    /// <summary>The consumer group.</summary>
    string GroupId { get; }

    /// <summary>The partitions (or ranges) this member owns now, on the epoch it reads.</summary>
    IReadOnlyList<TopicPartition> Assignment { get; }

    /// <summary>
    /// Reads records until cancelled. With <see cref="CommitMode.AfterProcessing"/>, a record counts as processed
    /// when the loop asks for the next one, and processed positions are committed periodically, on rebalance and on
    /// dispose.
    /// </summary>
    IAsyncEnumerable<ConsumeResult<TKey, TValue>> ConsumeAsync(CancellationToken cancellationToken = default);

    /// <summary>Commits the position after <paramref name="result"/> for its partition.</summary>
    ValueTask CommitAsync(ConsumeResult<TKey, TValue> result, CancellationToken cancellationToken = default);

    /// <summary>Commits every processed position not committed yet.</summary>
    ValueTask CommitAsync(CancellationToken cancellationToken = default);

    /// <summary>Moves the read position of an assigned partition; the next record read there is at <paramref name="offset"/>.</summary>
    void Seek(TopicPartition partition, long offset);

    /// <summary>Moves every assigned partition to the first record at or after <paramref name="timestamp"/>.</summary>
    ValueTask SeekToTimeAsync(DateTimeOffset timestamp, CancellationToken cancellationToken = default);
}
