using Xinfra.Northguard.Storage.Diagnostics;
using Xinfra.Northguard.Storage.Format;
using Xinfra.Northguard.Storage.Index;

namespace Xinfra.Northguard.Storage.Segments;

internal sealed partial class Segment
{
    /// <summary>Reads whole batches from the one holding <paramref name="offset"/> until <paramref name="maxBytes"/>.</summary>
    public ReadResult Read(long offset, int maxBytes, ISparseIndex index)
    {
        ThrowIfRefused();
        var view = _view;
        if (offset < Header.BaseOffset || offset > view.Next)
        {
            throw new OffsetOutOfRangeException(
                $"Offset {offset} is outside segment {Id} (readable offsets {Header.BaseOffset} to {view.Next}).", offset, Header.BaseOffset, view.Next);
        }

        var records = new List<StoredRecord>();
        if (offset == view.Next)
        {
            return new ReadResult(records, offset);
        }

        if (HasTailReaders && Tail.TryRead(offset, maxBytes, view.Next, records) && records.Count > 0)
        {
            StorageMetrics.RecordTailCacheRead(hit: true);
            return new ReadResult(records, records[^1].Offset + 1);
        }

        StorageMetrics.RecordTailCacheRead(hit: false);
        records.Clear();
        var position = StartPosition(index.FloorByOffset(Id, offset), view);
        var bytes = 0;
        while (position < view.Length && bytes < maxBytes)
        {
            var header = ReadBatchHeader(position, view);
            if (header.NextOffset > offset)
            {
                var batch = ReadBatch(position, header);
                if (!BatchDecoder.TryDecode(batch, offset, view.Next, records))
                {
                    throw Corrupt($"malformed records in the batch at position {position}", position);
                }

                bytes += header.Length;
            }

            position += header.Length;
        }

        return new ReadResult(records, records.Count > 0 ? records[^1].Offset + 1 : offset);
    }

    /// <summary>
    /// Whole encoded batches (CRC-checked), from the one holding <paramref name="offset"/>, until
    /// <paramref name="maxBytes"/> or <paramref name="maxRecords"/> (at least one batch); stops before a batch reaching
    /// past the durable end.
    /// </summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> ReadBatches(long offset, int maxBytes, long maxRecords, ISparseIndex index)
    {
        ThrowIfRefused();
        var view = _view;
        if (offset < Header.BaseOffset || offset > view.Next)
        {
            throw new OffsetOutOfRangeException(
                $"Offset {offset} is outside segment {Id} (readable offsets {Header.BaseOffset} to {view.Next}).", offset, Header.BaseOffset, view.Next);
        }

        var batches = new List<ReadOnlyMemory<byte>>();
        if (offset == view.Next)
        {
            return batches;
        }

        if (HasTailReaders && Tail.TryReadBatches(offset, maxBytes, maxRecords, view.Next, batches))
        {
            StorageMetrics.RecordTailCacheRead(hit: true);
            return batches;
        }

        StorageMetrics.RecordTailCacheRead(hit: false);
        batches.Clear();
        var position = StartPosition(index.FloorByOffset(Id, offset), view);
        var bytes = 0;
        var records = 0L;
        while (position < view.Length && bytes < maxBytes && records < maxRecords)
        {
            var header = ReadBatchHeader(position, view);
            if (header.NextOffset > view.Next)
            {
                break;
            }

            if (header.NextOffset > offset)
            {
                batches.Add(ReadBatch(position, header));
                bytes += header.Length;
                records += header.NextOffset - Math.Max(offset, header.BaseOffset);
            }

            position += header.Length;
        }

        return batches;
    }

    /// <summary>The first offset whose record timestamp is at least <paramref name="timestamp"/>, or null.</summary>
    public long? FindOffsetByTimestamp(long timestamp, ISparseIndex index)
    {
        ThrowIfRefused();
        var view = _view;
        var position = StartPosition(index.FloorByTimestamp(Id, timestamp), view);
        var records = new List<StoredRecord>();
        while (position < view.Length)
        {
            var header = ReadBatchHeader(position, view);
            if (header.MaxTimestamp >= timestamp)
            {
                records.Clear();
                if (!BatchDecoder.TryDecode(ReadBatch(position, header), header.BaseOffset, view.Next, records))
                {
                    throw Corrupt($"malformed records in the batch at position {position}", position);
                }

                foreach (var r in records)
                {
                    if (r.Record.Timestamp >= timestamp)
                    {
                        return r.Offset;
                    }
                }
            }

            position += header.Length;
        }

        return null;
    }

    public void ThrowIfRefused()
    {
        if (_refusal is { } r)
        {
            throw new CorruptDataException(r.Message, r.File, r.Position);
        }
    }

    private static long StartPosition(IndexEntry? entry, SegmentView view) =>
        entry is { } e && e.Position >= SegmentHeader.Size && e.Position < view.Length ? e.Position : SegmentHeader.Size;

    private BatchHeader ReadBatchHeader(long position, SegmentView view)
    {
        Span<byte> buffer = stackalloc byte[BatchHeader.Size];
        if (File.Read(position, buffer) != BatchHeader.Size || !BatchHeader.TryRead(buffer, out var header))
        {
            throw Corrupt($"bad batch header (magic, version or length) at position {position}", position);
        }

        if (position + header.Length > view.Length)
        {
            throw Corrupt($"the batch at position {position} runs past the end of the data ({view.Length})", position);
        }

        return header;
    }

    private byte[] ReadBatch(long position, BatchHeader header)
    {
        var batch = new byte[header.Length];
        if (File.Read(position, batch) != batch.Length)
        {
            throw Corrupt($"the file is truncated inside the batch at position {position}", position);
        }

        if (!BatchHeader.CrcMatches(batch))
        {
            throw Corrupt($"CRC mismatch in the batch at position {position}", position);
        }

        return batch;
    }

    private CorruptDataException Corrupt(string what, long position) =>
        new($"Segment {Id} file '{File.Name}' is corrupt: {what}.", File.Name, position);
}
