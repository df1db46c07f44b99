using Xinfra.Transport;

namespace Xinfra.Kafka.Consuming;

/// <summary>What the fetch loop hands the reader: a record (with its partition's seek epoch), a rebalance or an error.</summary>
internal readonly record struct ConsumerItem(IncomingRecord? Record, int Epoch, RebalanceEvent? Rebalance, XinfraException? Error);

/// <summary>The kind of a rebalance notification.</summary>
internal enum RebalanceKind
{
    Assigned,
    Revoked,
    Lost,
}

/// <summary>
/// A rebalance the fetch loop (inside librdkafka's callback) reports to the reader. When a listener is set, the loop
/// waits until the reader has told it, so the listener commits before partitions move and its seeks on newly
/// assigned partitions become their start positions.
/// </summary>
internal sealed class RebalanceEvent(RebalanceKind kind, IReadOnlyList<TopicPartition> partitions)
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public RebalanceKind Kind { get; } = kind;

    public IReadOnlyList<TopicPartition> Partitions { get; } = partitions;

    /// <summary>Start positions the listener chose for assigned partitions.</summary>
    public Dictionary<TopicPartition, long> Seeks { get; } = [];

    public void Complete() => _done.TrySetResult();

    /// <summary>Waits for the reader; false when <paramref name="cancellationToken"/> fired first.</summary>
    public bool Wait(CancellationToken cancellationToken)
    {
        try
        {
            _done.Task.Wait(cancellationToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}

/// <summary>A request from the reader that the fetch loop carries out between polls.</summary>
internal readonly record struct ConsumerCommand(ConsumerCommandKind Kind, TopicPartitionOffset Position, IReadOnlyList<TopicPartition>? Partitions);

/// <summary>The kind of a <see cref="ConsumerCommand"/>.</summary>
internal enum ConsumerCommandKind
{
    Seek,
    Pause,
    Resume,
}
