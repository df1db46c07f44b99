namespace Xinfra.Northguard.DataPath.Core;

/// <summary>One producer's idempotence state on a segment leader: its last sequence and its recent appends' offsets.</summary>
internal sealed class ProducerSequences(long lastSequence)
{
    private readonly Dictionary<long, (long Base, long End)> _offsets = [];

    public long LastSequence { get; private set; } = lastSequence;

    public bool TryGet(long sequence, out long baseOffset, out long end)
    {
        bool found = _offsets.TryGetValue(sequence, out var offsets);
        (baseOffset, end) = offsets;
        return found;
    }

    /// <summary>Moves past sequences the producer says were acknowledged elsewhere.</summary>
    public void SkipTo(long firstSequence)
    {
        if (firstSequence > LastSequence + 1)
        {
            LastSequence = firstSequence - 1;
        }
    }

    /// <summary>Records an append and forgets the one <paramref name="window"/> sequences back.</summary>
    public void Record(long sequence, long baseOffset, long end, int window)
    {
        LastSequence = sequence;
        _offsets[sequence] = (baseOffset, end);
        _offsets.Remove(sequence - window);
    }
}
