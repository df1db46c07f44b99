using System.Buffers.Binary;
using System.Text;

namespace Xinfra.Northguard.Storage.Format;

/// <summary>Decodes a CRC-checked batch into records. The records' bytes are slices of <c>batch</c>.</summary>
internal static class BatchDecoder
{
    /// <summary>
    /// Adds the records of <paramref name="batch"/> with offsets in [<paramref name="fromOffset"/>,
    /// <paramref name="toOffset"/>) to <paramref name="output"/>. Returns false when the batch is malformed.
    /// </summary>
    public static bool TryDecode(ReadOnlyMemory<byte> batch, long fromOffset, long toOffset, List<StoredRecord> output)
    {
        var span = batch.Span;
        if (!BatchHeader.TryRead(span, out var header) || header.Length != batch.Length)
        {
            return false;
        }

        var pos = BatchHeader.Size;
        for (var i = 0; i < header.RecordCount; i++)
        {
            if (!TryReadRecord(batch, ref pos, out var record))
            {
                return false;
            }

            var offset = header.BaseOffset + i;
            if (offset >= fromOffset && offset < toOffset)
            {
                output.Add(new StoredRecord(offset, record));
            }
        }

        return pos == batch.Length;
    }

    private static bool TryReadRecord(ReadOnlyMemory<byte> batch, ref int pos, out LogRecord record)
    {
        record = default;
        var span = batch.Span;
        if (span.Length - pos < 8)
        {
            return false;
        }

        var timestamp = BinaryPrimitives.ReadInt64LittleEndian(span[pos..]);
        pos += 8;
        if (!TrySlice(batch, ref pos, 4, out var key) || !TrySlice(batch, ref pos, 4, out var value) || span.Length - pos < 4)
        {
            return false;
        }

        var headerCount = BinaryPrimitives.ReadInt32LittleEndian(span[pos..]);
        pos += 4;
        if (headerCount < 0 || headerCount > span.Length - pos)
        {
            return false;
        }

        var headers = headerCount == 0 ? [] : new RecordHeader[headerCount];
        for (var h = 0; h < headerCount; h++)
        {
            if (!TrySlice(batch, ref pos, 2, out var name) || !TrySlice(batch, ref pos, 4, out var hv))
            {
                return false;
            }

            headers[h] = new RecordHeader(Encoding.UTF8.GetString(name.Span), hv);
        }

        record = new LogRecord(key, value, headers, timestamp);
        return true;
    }

    private static bool TrySlice(ReadOnlyMemory<byte> batch, ref int pos, int prefix, out ReadOnlyMemory<byte> slice)
    {
        slice = default;
        var span = batch.Span;
        if (span.Length - pos < prefix)
        {
            return false;
        }

        var length = prefix == 2 ? BinaryPrimitives.ReadUInt16LittleEndian(span[pos..]) : BinaryPrimitives.ReadInt32LittleEndian(span[pos..]);
        pos += prefix;
        if (length < 0 || length > span.Length - pos)
        {
            return false;
        }

        slice = batch.Slice(pos, length);
        pos += length;
        return true;
    }
}
