namespace Xinfra.Northguard.Storage;

/// <summary>The offsets given to an append; durability is awaited separately.</summary>
/// <param name="SegmentId">The segment appended to.</param>
/// <param name="BaseOffset">The offset of the first record.</param>
/// <param name="LastOffset">The offset of the last record.</param>
public readonly record struct AppendResult(long SegmentId, long BaseOffset, long LastOffset);

/// <summary>The result of a read: records from the requested offset and the offset to read next.</summary>
/// <param name="Records">The records, in offset order; empty at the end of the readable data.</param>
/// <param name="NextOffset">The offset the next read should ask for.</param>
public sealed record ReadResult(IReadOnlyList<StoredRecord> Records, long NextOffset);

/// <summary>What the store knows about one segment.</summary>
/// <param name="SegmentId">The segment id.</param>
/// <param name="Topic">The topic the segment belongs to (drives retention).</param>
/// <param name="BaseOffset">The first offset of the segment.</param>
/// <param name="NextOffset">The offset the next durable record will get.</param>
/// <param name="SizeBytes">The segment file size in bytes.</param>
/// <param name="IsSealed">True once the segment is sealed and immutable.</param>
/// <param name="MaxTimestamp">The largest record timestamp, or <see cref="long.MinValue"/> when empty.</param>
public sealed record SegmentInfo(
    long SegmentId, string Topic, long BaseOffset, long NextOffset, long SizeBytes, bool IsSealed, long MaxTimestamp);

/// <summary>Retention for one topic: sealed segments older or beyond the size budget are deleted.</summary>
/// <param name="MaxAge">Delete a sealed segment whose newest record is older than this; null keeps forever.</param>
/// <param name="MaxBytes">Delete the oldest sealed segments while the topic is larger than this; null for no limit.</param>
public sealed record RetentionPolicy(TimeSpan? MaxAge, long? MaxBytes);
