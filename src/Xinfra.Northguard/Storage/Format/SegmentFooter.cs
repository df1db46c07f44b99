using System.Buffers.Binary;

namespace Xinfra.Northguard.Storage.Format;

/// <summary>The 48-byte seal footer written at the end of the data of a sealed segment.</summary>
internal readonly record struct SegmentFooter(long NextOffset, long DataEnd, long MaxTimestamp, long SealedAt)
{
    public const int Size = 48;
    private const uint Magic = 0x4C41534E; // "NSAL"

    /// <summary>Writes the footer into a 48-byte span.</summary>
    public void Write(Span<byte> destination)
    {
        destination[..Size].Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Magic);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], NextOffset);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], DataEnd);
        BinaryPrimitives.WriteInt64LittleEndian(destination[24..], MaxTimestamp);
        BinaryPrimitives.WriteInt64LittleEndian(destination[32..], SealedAt);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Crc32C.Compute(destination[8..Size]));
    }

    /// <summary>Reads a footer; false when the bytes are not a valid footer ending at <paramref name="fileLength"/>.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, long fileLength, out SegmentFooter footer)
    {
        footer = default;
        if (source.Length < Size || BinaryPrimitives.ReadUInt32LittleEndian(source) != Magic
            || BinaryPrimitives.ReadUInt32LittleEndian(source[4..]) != Crc32C.Compute(source[8..Size]))
        {
            return false;
        }

        footer = new SegmentFooter(
            BinaryPrimitives.ReadInt64LittleEndian(source[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(source[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(source[24..]),
            BinaryPrimitives.ReadInt64LittleEndian(source[32..]));
        return footer.DataEnd + Size == fileLength;
    }
}
