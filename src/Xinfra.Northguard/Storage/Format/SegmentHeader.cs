using System.Buffers.Binary;
using System.Text;

namespace Xinfra.Northguard.Storage.Format;

/// <summary>The 512-byte header at the start of every segment file (see docs/storage.md).</summary>
internal sealed record SegmentHeader(long SegmentId, long BaseOffset, long CreatedAt, string Topic)
{
    public const int Size = 512;
    public const int MaxTopicBytes = 255;
    private const ulong Magic = 0x3130764745534E47; // "GNSEGv01" little-endian bytes "GNSEGv01"

    /// <summary>Writes the header into a 512-byte span.</summary>
    public void Write(Span<byte> destination)
    {
        destination[..Size].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(destination, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[8..], 1);
        var topicLength = Encoding.UTF8.GetBytes(Topic, destination[40..(40 + MaxTopicBytes)]);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[10..], (ushort)topicLength);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], SegmentId);
        BinaryPrimitives.WriteInt64LittleEndian(destination[24..], BaseOffset);
        BinaryPrimitives.WriteInt64LittleEndian(destination[32..], CreatedAt);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[(Size - 4)..], Crc32C.Compute(destination[..(Size - 4)]));
    }

    /// <summary>Parses and checks a header; throws <see cref="CorruptDataException"/> naming the file.</summary>
    public static SegmentHeader Read(ReadOnlySpan<byte> source, string file)
    {
        if (source.Length < Size)
        {
            throw new CorruptDataException($"Segment file '{file}' is truncated: {source.Length} bytes, shorter than its header.", file, source.Length);
        }

        if (BinaryPrimitives.ReadUInt64LittleEndian(source) != Magic)
        {
            throw new CorruptDataException($"Segment file '{file}' has a wrong magic number at position 0.", file, 0);
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(source[(Size - 4)..]) != Crc32C.Compute(source[..(Size - 4)]))
        {
            throw new CorruptDataException($"Segment file '{file}' has a bad header CRC at position {Size - 4}.", file, Size - 4);
        }

        var topicLength = BinaryPrimitives.ReadUInt16LittleEndian(source[10..]);
        if (topicLength > MaxTopicBytes)
        {
            throw new CorruptDataException($"Segment file '{file}' has a bad topic length at position 10.", file, 10);
        }

        return new SegmentHeader(
            BinaryPrimitives.ReadInt64LittleEndian(source[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(source[24..]),
            BinaryPrimitives.ReadInt64LittleEndian(source[32..]),
            Encoding.UTF8.GetString(source.Slice(40, topicLength)));
    }
}
