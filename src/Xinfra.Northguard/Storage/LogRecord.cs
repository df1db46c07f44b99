namespace Xinfra.Northguard.Storage;

/// <summary>One header of a record: a name and opaque bytes. Header order is preserved.</summary>
/// <param name="Name">The header name (UTF-8 on disk, at most 65535 bytes).</param>
/// <param name="Value">The header value.</param>
public readonly record struct RecordHeader(string Name, ReadOnlyMemory<byte> Value);

/// <summary>A record as stored by the fps-store: key, value, ordered headers and a timestamp.</summary>
/// <param name="Key">The key bytes (empty when the record has no key).</param>
/// <param name="Value">The value bytes.</param>
/// <param name="Headers">The ordered headers; may be empty.</param>
/// <param name="Timestamp">The record timestamp in Unix milliseconds.</param>
public readonly record struct LogRecord(
    ReadOnlyMemory<byte> Key,
    ReadOnlyMemory<byte> Value,
    IReadOnlyList<RecordHeader> Headers,
    long Timestamp)
{
    /// <summary>Creates a record without headers.</summary>
    public LogRecord(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, long timestamp)
        : this(key, value, [], timestamp)
    {
    }
}

/// <summary>A record read back from a segment, with its offset.</summary>
/// <param name="Offset">The record's offset in its segment's offset space.</param>
/// <param name="Record">The record.</param>
public readonly record struct StoredRecord(long Offset, LogRecord Record);
