using System.Buffers.Binary;
using Google.Protobuf;
using Xinfra.Northguard.Protocol;
using Xinfra.Northguard.Storage;

namespace Xinfra.Northguard.DataPath;

/// <summary>
/// The reserved header the leader adds to the first record of every append: producer id and sequence, so any replica
/// can later tell which appends a segment holds (idempotent resend after a leader failure). Stripped from consumers.
/// </summary>
internal static class ProducerSequenceHeader
{
    public const string Name = "ng.seq";

    public static Header Create(ulong producerId, long sequence) =>
        new() { Name = Name, Value = UnsafeByteOperations.UnsafeWrap(Encode(producerId, sequence)) };

    /// <summary>The header's value: producer id and sequence, 8 bytes each, little-endian.</summary>
    public static byte[] Encode(ulong producerId, long sequence)
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, producerId);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8), sequence);
        return bytes;
    }

    public static bool TryRead(Record record, out ulong producerId, out long sequence)
    {
        foreach (var header in record.Headers)
        {
            if (header.Name == Name && TryDecode(header.Value.Span, out producerId, out sequence))
            {
                return true;
            }
        }

        producerId = 0;
        sequence = 0;
        return false;
    }

    /// <summary>The same for a stored record.</summary>
    public static bool TryRead(LogRecord record, out ulong producerId, out long sequence)
    {
        foreach (var header in record.Headers)
        {
            if (header.Name == Name && TryDecode(header.Value.Span, out producerId, out sequence))
            {
                return true;
            }
        }

        producerId = 0;
        sequence = 0;
        return false;
    }

    private static bool TryDecode(ReadOnlySpan<byte> value, out ulong producerId, out long sequence)
    {
        if (value.Length != 16)
        {
            producerId = 0;
            sequence = 0;
            return false;
        }

        producerId = BinaryPrimitives.ReadUInt64LittleEndian(value);
        sequence = BinaryPrimitives.ReadInt64LittleEndian(value[8..]);
        return true;
    }

    public static void Strip(Record record)
    {
        for (int i = record.Headers.Count - 1; i >= 0; i--)
        {
            if (record.Headers[i].Name == Name)
            {
                record.Headers.RemoveAt(i);
            }
        }
    }
}
