namespace Xinfra.Northguard.DataPath.Core;

/// <summary>Producers arriving on this segment from an earlier one.</summary>
public sealed partial class SegmentReplicationCore<TToken>
{
    /// <summary>True once the producer appended here or was introduced with <see cref="InitProducer"/>.</summary>
    public bool HasProducer(ulong producerId) => _producers.ContainsKey(producerId);

    /// <summary>
    /// Sets a producer's starting point when it opens a stream on this segment: appends before
    /// <paramref name="firstSequence"/> were acknowledged; <paramref name="stored"/> (sequence, base offset) are later
    /// ones already in the previous segment, answered as committed resends rather than written again. A producer
    /// already known here only moves past <paramref name="firstSequence"/>.
    /// </summary>
    public void InitProducer(ulong producerId, long firstSequence, IReadOnlyList<(long Sequence, long BaseOffset)> stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (_producers.TryGetValue(producerId, out var known))
        {
            known.SkipTo(firstSequence);
            return;
        }

        var producer = new ProducerSequences(firstSequence - 1);
        foreach (var (sequence, baseOffset) in stored)
        {
            if (sequence == producer.LastSequence + 1)
            {
                // End = this segment's base: committed before the segment opened, so a resend is acknowledged at once.
                producer.Record(sequence, baseOffset, BaseOffset, _limits.IdempotenceWindow);
            }
        }

        _producers[producerId] = producer;
    }
}
