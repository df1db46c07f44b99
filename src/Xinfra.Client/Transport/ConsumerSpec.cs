namespace Xinfra.Transport;

/// <summary>What a transport consumer reads and how it starts.</summary>
public sealed class ConsumerSpec
{
    /// <summary>The consumer group id.</summary>
    public required string GroupId { get; init; }

    /// <summary>The topics to read, all on this transport's cluster.</summary>
    public required IReadOnlyList<PhysicalTopic> Topics { get; init; }

    /// <summary>Where to start in a partition the group has no committed position for.</summary>
    public AutoOffsetReset AutoOffsetReset { get; init; } = AutoOffsetReset.Earliest;

    /// <summary>This member's client id (for logs and broker metrics).</summary>
    public string ClientId { get; init; } = "xinfra";

    /// <summary>Receives assignment changes; may be null.</summary>
    public IRebalanceListener? Listener { get; init; }
}

/// <summary>Where a consumer starts in a partition without a committed position.</summary>
public enum AutoOffsetReset
{
    /// <summary>From the oldest record still stored.</summary>
    Earliest = 0,

    /// <summary>From the next record produced.</summary>
    Latest = 1,
}

/// <summary>
/// Told about group rebalances, from inside <see cref="ITransportConsumer.ReadAsync"/>. Revocation comes before the
/// partitions move, so the listener can commit what it processed; assignment comes with the positions the member will
/// start from, which the listener may change with <see cref="ITransportConsumer.Seek"/>.
/// </summary>
public interface IRebalanceListener
{
    /// <summary>Partitions now owned by this member.</summary>
    void OnAssigned(ITransportConsumer consumer, IReadOnlyList<TopicPartition> partitions);

    /// <summary>Partitions about to be taken from this member (or lost, if the member was expelled).</summary>
    void OnRevoked(ITransportConsumer consumer, IReadOnlyList<TopicPartition> partitions);
}
