namespace Xinfra.Northguard.Storage.Index;

/// <summary>
/// One sparse index point: the batch starting at <paramref name="Offset"/> sits at file <paramref name="Position"/>,
/// and every record before it has a timestamp at most <paramref name="MaxTimestampBefore"/>.
/// </summary>
/// <param name="SegmentId">The segment.</param>
/// <param name="Offset">The base offset of the indexed batch.</param>
/// <param name="Position">The byte position of that batch in the segment file.</param>
/// <param name="MaxTimestampBefore">The largest timestamp of the records before the batch (monotonic per segment).</param>
public readonly record struct IndexEntry(long SegmentId, long Offset, long Position, long MaxTimestampBefore);

/// <summary>What a seal made durable about a segment, used to detect truncated sealed files.</summary>
/// <param name="NextOffset">The offset after the last record.</param>
/// <param name="FileLength">The sealed file's exact length, footer included.</param>
public readonly record struct SealRecord(long NextOffset, long FileLength);

/// <summary>
/// The sparse segment index (offset → file position, timestamp → offset). Entries are hints written after the WAL
/// fsync: a missing entry only makes a lookup scan further, so only <see cref="MarkSealed"/> must be durable.
/// </summary>
public interface ISparseIndex : IDisposable
{
    /// <summary>Adds entries (in offset order per segment); re-adding an existing entry is harmless.</summary>
    void Add(IReadOnlyList<IndexEntry> entries);

    /// <summary>The last entry of the segment with <c>Offset &lt;= offset</c>, or null.</summary>
    IndexEntry? FloorByOffset(long segmentId, long offset);

    /// <summary>The last entry of the segment with <c>MaxTimestampBefore &lt; timestamp</c>, or null.</summary>
    IndexEntry? FloorByTimestamp(long segmentId, long timestamp);

    /// <summary>Durably records that a segment is sealed.</summary>
    void MarkSealed(long segmentId, SealRecord seal);

    /// <summary>The seal record of a segment, or null when it was never sealed.</summary>
    SealRecord? GetSeal(long segmentId);

    /// <summary>Removes every entry of a segment (retention).</summary>
    void RemoveSegment(long segmentId);

    /// <summary>Makes every entry added so far durable.</summary>
    void Sync();
}
