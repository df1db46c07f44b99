using System.Buffers.Binary;
using System.Text;

namespace Xinfra.Northguard.Groups;

/// <summary>
/// The content of a group's position document (<c>__ng.positions/group/topic/range</c>): the committed next offset,
/// then the range's lease epoch and the member holding that lease. Layout (little-endian): offset (8 bytes, -1 when a
/// lease was claimed but nothing committed yet), epoch (8 bytes), holder (UTF-8, the rest). A document written before
/// fencing is the 8-byte offset alone: epoch 0, no holder. The offset stays first so that a broker reading only the
/// first 8 bytes (before fencing) still reads the committed offset.
/// </summary>
internal readonly record struct PositionDocument(long Offset, long Epoch, string Holder)
{
    /// <summary>The offset of a document that holds a lease but no committed position yet.</summary>
    public const long NoOffset = -1;

    private const int HeaderSize = 16;

    /// <summary>True when a position was committed (a claim alone commits none).</summary>
    public bool HasOffset => Offset >= 0;

    public byte[] Encode()
    {
        var bytes = new byte[HeaderSize + Encoding.UTF8.GetByteCount(Holder)];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, Offset);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8), Epoch);
        Encoding.UTF8.GetBytes(Holder, bytes.AsSpan(HeaderSize));
        return bytes;
    }

    /// <summary>Reads a document; an 8-byte one is a position committed before fencing (epoch 0).</summary>
    /// <exception cref="FormatException">The content is neither layout.</exception>
    public static PositionDocument Decode(ReadOnlySpan<byte> content)
    {
        if (content.Length == 8)
        {
            return new PositionDocument(BinaryPrimitives.ReadInt64LittleEndian(content), 0, string.Empty);
        }

        if (content.Length < HeaderSize)
        {
            throw new FormatException($"A position document has 8 or at least {HeaderSize} bytes, not {content.Length}.");
        }

        return new PositionDocument(
            BinaryPrimitives.ReadInt64LittleEndian(content),
            BinaryPrimitives.ReadInt64LittleEndian(content[8..]),
            Encoding.UTF8.GetString(content[HeaderSize..]));
    }
}
