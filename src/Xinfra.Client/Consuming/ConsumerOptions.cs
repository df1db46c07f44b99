using Xinfra.Serialization;
using Xinfra.Transport;

namespace Xinfra;

/// <summary>Per-consumer options.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public sealed record ConsumerOptions<TKey, TValue>
{
    /// <summary>The consumer group id. Required.</summary>
    public required string GroupId { get; init; }

    /// <summary>Where to start without a committed position. <value>The default is <see cref="AutoOffsetReset.Earliest"/>.</value></summary>
    public AutoOffsetReset AutoOffsetReset { get; init; } = AutoOffsetReset.Earliest;

    /// <summary>How positions are committed. <value>The default is <see cref="CommitMode.AfterProcessing"/>.</value></summary>
    public CommitMode CommitMode { get; init; } = CommitMode.AfterProcessing;

    /// <summary>How often processed positions are committed in <see cref="CommitMode.AfterProcessing"/>. <value>The default is 1 s.</value></summary>
    public TimeSpan CommitInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// During a migration cutover on a cluster that cannot count group members, how long the group's committed
    /// positions on the epoch being left must stay unchanged before the cut is taken. <value>The default is 10 s.</value>
    /// </summary>
    public TimeSpan CutoverQuietPeriod { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// When a cutover is deferred because the group has not yet consumed records that exist on the source only, how
    /// long it keeps reading the source before trying again; each consecutive deferral doubles it (up to 32 times).
    /// <value>The default is 2 s.</value>
    /// </summary>
    public TimeSpan CutoverRetryInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How often the consumer lag gauges (<c>xinfra.consume.lag</c>, <c>xinfra.consume.lag_seconds</c>) refresh each
    /// partition's high watermark, in the background. <value>The default is 5 s.</value>
    /// </summary>
    public TimeSpan LagRefreshInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The key deserializer. <value>The default is <see cref="Serdes.Default{T}"/> of the key type.</value></summary>
    public IDeserializer<TKey>? KeyDeserializer { get; init; }

    /// <summary>The value deserializer. <value>The default is <see cref="Serdes.Default{T}"/> of the value type.</value></summary>
    public IDeserializer<TValue>? ValueDeserializer { get; init; }

    /// <summary>Called with partitions assigned to this member, before any of their records is read.</summary>
    public Action<IReadOnlyList<TopicPartition>>? OnPartitionsAssigned { get; init; }

    /// <summary>Called with partitions taken from this member, after their processed positions were committed.</summary>
    public Action<IReadOnlyList<TopicPartition>>? OnPartitionsRevoked { get; init; }
}

/// <summary>How a consumer commits its positions.</summary>
public enum CommitMode
{
    /// <summary>A record is processed when the loop moves past it; processed positions are committed for you.</summary>
    AfterProcessing = 0,

    /// <summary>Only <see cref="IXinfraConsumer{TKey, TValue}.CommitAsync(ConsumeResult{TKey, TValue}, CancellationToken)"/> commits.</summary>
    Manual = 1,
}
