using System.Buffers.Binary;

namespace Xinfra.Northguard.Storage.Format;

/// <summary>What <see cref="BatchWalker"/> learned about a valid pre-encoded batch.</summary>
/// <param name="RecordCount">Records in the batch.</param>
/// <param name="LargestOtherRecord">The largest record after the first (key + value + header names and values).</param>
/// <param name="FirstRecord">The size of the first record, counted the same way.</param>
/// <param name="FirstRecordLastHeader">Where the first record's last header starts (its name length field); -1 when it has none.</param>
internal readonly record struct BatchShape(int RecordCount, long LargestOtherRecord, long FirstRecord, int FirstRecordLastHeader);

/// <summary>
/// Checks a batch encoded by someone else (a producer, a leader) before it is stored as it is: header, length, CRC32C,
/// timestamps and the structure of every record, without materialising records (no allocation).
/// </summary>
internal static class BatchWalker
{
    /// <summary>Null when <paramref name="batch"/> is a well-formed batch; otherwise why not.</summary>
    public static string? TryWalk(ReadOnlySpan<byte> batch, out BatchShape shape)
    {
        shape = default;
        if (!BatchHeader.TryRead(batch, out var header))
        {
            return "The batch header is malformed (magic, version, length or record count).";
        }

        if (header.Length != batch.Length)
        {
            return $"The batch header says {header.Length} bytes but {batch.Length} were sent.";
        }

        if (!BatchHeader.CrcMatches(batch))
        {
            return "The batch CRC32C does not match its content.";
        }

        int pos = BatchHeader.Size;
        long min = long.MaxValue;
        long max = long.MinValue;
        long largest = 0;
        long first = 0;
        int firstLastHeader = -1;
        for (int i = 0; i < header.RecordCount; i++)
        {
            if (batch.Length - pos < 8)
            {
                return $"Record {i} of the batch is truncated.";
            }

            long timestamp = BinaryPrimitives.ReadInt64LittleEndian(batch[pos..]);
            min = Math.Min(min, timestamp);
            max = Math.Max(max, timestamp);
            pos += 8;
            if (!Skip(batch, ref pos, 4, out int key) || !Skip(batch, ref pos, 4, out int value) || batch.Length - pos < 4)
            {
                return $"Record {i} of the batch is truncated.";
            }

            long size = (long)key + value;
            int headers = BinaryPrimitives.ReadInt32LittleEndian(batch[pos..]);
            pos += 4;
            if (headers < 0 || headers > (batch.Length - pos) / 6)
            {
                return $"Record {i} of the batch has an invalid header count {headers}.";
            }

            for (int h = 0; h < headers; h++)
            {
                int at = pos;
                if (!Skip(batch, ref pos, 2, out int name) || !Skip(batch, ref pos, 4, out int headerValue))
                {
                    return $"A header of record {i} of the batch is truncated.";
                }

                size += name + headerValue;
                if (i == 0 && h == headers - 1)
                {
                    firstLastHeader = at;
                }
            }

            if (i == 0)
            {
                first = size;
            }
            else
            {
                largest = Math.Max(largest, size);
            }
        }

        if (pos != batch.Length)
        {
            return $"The batch has {batch.Length - pos} bytes after its last record.";
        }

        if (min != header.MinTimestamp || max != header.MaxTimestamp)
        {
            return "The batch header's timestamps do not match its records.";
        }

        shape = new BatchShape(header.RecordCount, largest, first, firstLastHeader);
        return null;
    }

    private static bool Skip(ReadOnlySpan<byte> batch, ref int pos, int prefix, out int length)
    {
        length = 0;
        if (batch.Length - pos < prefix)
        {
            return false;
        }

        length = prefix == 2 ? BinaryPrimitives.ReadUInt16LittleEndian(batch[pos..]) : BinaryPrimitives.ReadInt32LittleEndian(batch[pos..]);
        pos += prefix;
        if (length < 0 || length > batch.Length - pos)
        {
            return false;
        }

        pos += length;
        return true;
    }
}
