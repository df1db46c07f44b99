using Xinfra.Northguard.Storage;

namespace Xinfra.Northguard.Client;

/// <summary>A record to produce or a consumed record's content.</summary>
/// <param name="Key">The key (decides the range); empty for none.</param>
/// <param name="Value">The value.</param>
/// <param name="Headers">Ordered headers, or null.</param>
/// <param name="Timestamp">Unix milliseconds; 0 stamps the produce time.</param>
public readonly record struct NorthguardRecord(ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte> Value, IReadOnlyList<RecordHeader>? Headers = null, long Timestamp = 0);

/// <summary>Where an acknowledged record was stored (durable on every replica).</summary>
/// <param name="RangeId">The range.</param>
/// <param name="Offset">The record's offset in the range.</param>
public readonly record struct NorthguardReceipt(ulong RangeId, long Offset);

/// <summary>A consumed record and its position.</summary>
/// <param name="RangeId">The range it was read from.</param>
/// <param name="Offset">Its offset in the range.</param>
/// <param name="Record">The record.</param>
public readonly record struct NorthguardConsumedRecord(ulong RangeId, long Offset, NorthguardRecord Record);

/// <summary>A range of a topic as the client sees it.</summary>
/// <param name="RangeId">The range id.</param>
/// <param name="KeyStart">First key hash covered.</param>
/// <param name="KeyEnd">Last key hash covered (inclusive).</param>
/// <param name="IsActive">False once split or merged away.</param>
/// <param name="Parents">Ranges it came from.</param>
/// <param name="Children">Ranges it became.</param>
public sealed record NorthguardRange(ulong RangeId, ulong KeyStart, ulong KeyEnd, bool IsActive, IReadOnlyList<ulong> Parents, IReadOnlyList<ulong> Children);

/// <summary>Hashes keys into the 64-bit key space that ranges slice (XxHash64, seed 0).</summary>
public static class NorthguardKeyHash
{
    /// <summary>The key hash of <paramref name="key"/>.</summary>
    public static ulong Of(ReadOnlySpan<byte> key) => System.IO.Hashing.XxHash64.HashToUInt64(key);
}
