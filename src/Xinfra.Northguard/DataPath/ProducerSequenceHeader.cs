using System.Buffers.Binary;
using Google.Protobuf;
using Xinfra.Northguard.Protocol;

namespace Xinfra.Northguard.DataPath;

/// <summary>
/// The reserved header the leader adds to the first record of every append: producer id and sequence, so any replica
/// can later tell which appends a segment holds (idempotent resend after a leader failure). Stripped from consumers.
/// </summary>
internal static class ProducerSequenceHeader
{
    public const string Name = "ng.seq";

    public static Header Create(ulong producerId, long sequence)
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, producerId);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8), sequence);
        return new Header { Name = Name, Value = UnsafeByteOperations.UnsafeWrap(bytes) };
    }

    public static bool TryRead(Record record, out ulong producerId, out long sequence)
    {
        foreach (var header in record.Headers)
        {
            if (header.Name == Name && header.Value.Length == 16)
            {
                producerId = BinaryPrimitives.ReadUInt64LittleEndian(header.Value.Span);
                sequence = BinaryPrimitives.ReadInt64LittleEndian(header.Value.Span[8..]);
                return true;
            }
        }

        producerId = 0;
        sequence = 0;
        return false;
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
