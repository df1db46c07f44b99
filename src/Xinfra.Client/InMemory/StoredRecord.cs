namespace Xinfra.InMemory;

/// <summary>A record as an in-memory cluster stores it.</summary>
/// <param name="Offset">Its offset in the partition.</param>
/// <param name="Key">The key bytes, or null.</param>
/// <param name="Value">The value bytes, or null.</param>
/// <param name="Headers">The headers.</param>
/// <param name="Timestamp">The timestamp.</param>
public sealed record StoredRecord(
    long Offset,
    ReadOnlyMemory<byte>? Key,
    ReadOnlyMemory<byte>? Value,
    IReadOnlyList<XinfraHeader> Headers,
    DateTimeOffset Timestamp);
