using System.Buffers.Binary;

namespace Xinfra.Northguard.Storage.Format;

/// <summary>
/// The fixed 48-byte header of a record batch (see docs/storage.md). The CRC32C covers bytes 12..Length.
/// </summary>
internal readonly record struct BatchHeader(
    int Length, uint Crc, long BaseOffset, int RecordCount, long MinTimestamp, long MaxTimestamp)
{
    public const uint Magic = 0x3142474E; // "NGB1"
    public const int Size = 48;
    public const int CrcStart = 12;
    public const ushort Version = 1;

    /// <summary>The offset after the last record of the batch.</summary>
    public long NextOffset => BaseOffset + RecordCount;

    /// <summary>Reads a header; returns false when the magic or the basic shape is wrong (no CRC check).</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out BatchHeader header)
    {
        header = default;
        if (source.Length < Size || BinaryPrimitives.ReadUInt32LittleEndian(source) != Magic)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(source[4..]);
        var version = BinaryPrimitives.ReadUInt16LittleEndian(source[12..]);
        var count = BinaryPrimitives.ReadInt32LittleEndian(source[24..]);
        if (length < Size || version != Version || count <= 0)
        {
            return false;
        }

        header = new BatchHeader(
            length,
            BinaryPrimitives.ReadUInt32LittleEndian(source[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(source[16..]),
            count,
            BinaryPrimitives.ReadInt64LittleEndian(source[32..]),
            BinaryPrimitives.ReadInt64LittleEndian(source[40..]));
        return true;
    }

    /// <summary>True when the CRC stored in <paramref name="batch"/> matches its content.</summary>
    public static bool CrcMatches(ReadOnlySpan<byte> batch) =>
        batch.Length >= Size && BinaryPrimitives.ReadUInt32LittleEndian(batch[8..]) == Crc32C.Compute(batch[CrcStart..]);
}
