using System.Buffers.Binary;
using System.Text;

namespace Xinfra.Northguard.Storage.Format;

/// <summary>Encodes records into the on-disk batch format.</summary>
internal static class BatchEncoder
{
    /// <summary>The encoded size of a batch holding <paramref name="records"/>.</summary>
    public static int Measure(ReadOnlySpan<LogRecord> records)
    {
        long size = BatchHeader.Size;
        foreach (var r in records)
        {
            size += 8 + 4 + r.Key.Length + 4 + r.Value.Length + 4;
            var headers = r.Headers ?? [];
            for (var i = 0; i < headers.Count; i++)
            {
                var h = headers[i];
                ArgumentNullException.ThrowIfNull(h.Name, "header name");
                var nameLength = Encoding.UTF8.GetByteCount(h.Name);
                if (nameLength > ushort.MaxValue)
                {
                    throw new ArgumentException($"Header name is {nameLength} bytes; the limit is {ushort.MaxValue}.", nameof(records));
                }

                size += 2 + nameLength + 4 + h.Value.Length;
            }
        }

        if (size > int.MaxValue / 2)
        {
            throw new RecordTooLargeException($"A batch of {size} bytes is too large.", size, int.MaxValue / 2);
        }

        return (int)size;
    }

    /// <summary>Writes the batch into <paramref name="destination"/> (exactly <see cref="Measure"/> bytes).</summary>
    public static void Write(Span<byte> destination, long baseOffset, ReadOnlySpan<LogRecord> records)
    {
        var pos = BatchHeader.Size;
        var min = long.MaxValue;
        var max = long.MinValue;
        foreach (var r in records)
        {
            min = Math.Min(min, r.Timestamp);
            max = Math.Max(max, r.Timestamp);
            BinaryPrimitives.WriteInt64LittleEndian(destination[pos..], r.Timestamp);
            pos = WriteBytes(destination, pos + 8, r.Key.Span);
            pos = WriteBytes(destination, pos, r.Value.Span);
            var headers = r.Headers ?? [];
            BinaryPrimitives.WriteInt32LittleEndian(destination[pos..], headers.Count);
            pos += 4;
            for (var i = 0; i < headers.Count; i++)
            {
                var n = Encoding.UTF8.GetBytes(headers[i].Name, destination[(pos + 2)..]);
                BinaryPrimitives.WriteUInt16LittleEndian(destination[pos..], (ushort)n);
                pos = WriteBytes(destination, pos + 2 + n, headers[i].Value.Span);
            }
        }

        BinaryPrimitives.WriteUInt32LittleEndian(destination, BatchHeader.Magic);
        BinaryPrimitives.WriteInt32LittleEndian(destination[4..], pos);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[12..], BatchHeader.Version);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[14..], 0);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], baseOffset);
        BinaryPrimitives.WriteInt32LittleEndian(destination[24..], records.Length);
        BinaryPrimitives.WriteInt32LittleEndian(destination[28..], 0);
        BinaryPrimitives.WriteInt64LittleEndian(destination[32..], min);
        BinaryPrimitives.WriteInt64LittleEndian(destination[40..], max);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], Crc32C.Compute(destination[BatchHeader.CrcStart..pos]));
    }

    private static int WriteBytes(Span<byte> destination, int pos, ReadOnlySpan<byte> bytes)
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination[pos..], bytes.Length);
        bytes.CopyTo(destination[(pos + 4)..]);
        return pos + 4 + bytes.Length;
    }
}
