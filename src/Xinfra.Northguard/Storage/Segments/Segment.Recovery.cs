using System.Buffers;
using Xinfra.Northguard.Storage.Devices;
using Xinfra.Northguard.Storage.Format;
using Xinfra.Northguard.Storage.Index;

namespace Xinfra.Northguard.Storage.Segments;

internal sealed partial class Segment
{
    /// <summary>Parses a segment file name; false for other files.</summary>
    public static bool TryParseFileName(string name, out long segmentId)
    {
        segmentId = 0;
        return name.StartsWith("seg-", StringComparison.Ordinal) && name.EndsWith(".ngs", StringComparison.Ordinal)
            && long.TryParse(name.AsSpan(4, name.Length - 8), out segmentId);
    }

    /// <summary>
    /// Opens an existing segment file. A sealed file is trusted up to its footer (its batches are CRC-checked when read);
    /// an open one is scanned and cut at the first torn or corrupt batch. Throws <see cref="CorruptDataException"/> for a
    /// bad header or a sealed file that lost its footer. Returns the byte position the file was cut at, or -1.
    /// </summary>
    public long Recover(ISparseIndex index, List<IndexEntry> entries)
    {
        var length = File.Length;
        var seal = index.GetSeal(Id);
        Span<byte> footerBytes = stackalloc byte[SegmentFooter.Size];
        if (length >= SegmentHeader.Size + SegmentFooter.Size
            && File.Read(length - SegmentFooter.Size, footerBytes) == SegmentFooter.Size
            && SegmentFooter.TryRead(footerBytes, length, out var footer))
        {
            if (seal is { } s && (s.FileLength != length || s.NextOffset != footer.NextOffset))
            {
                throw Corrupt($"its footer (next offset {footer.NextOffset}, {length} bytes) disagrees with the seal record (next offset {s.NextOffset}, {s.FileLength} bytes)", length);
            }

            IsSealed = true;
            SealRequested = true;
            AssignedNext = footer.NextOffset;
            _view = new SegmentView(footer.NextOffset, footer.DataEnd, footer.MaxTimestamp);
            return -1;
        }

        if (seal is { } sealRecord)
        {
            throw Corrupt($"the sealed file is {length} bytes but was sealed at {sealRecord.FileLength} bytes; its footer is missing (truncated file)", length);
        }

        var cut = Scan(length, entries);
        if (cut < length)
        {
            File.Truncate(cut);
            return cut;
        }

        return -1;
    }

    /// <summary>Walks the batches of an open segment; returns where the valid data ends.</summary>
    private long Scan(long length, List<IndexEntry> entries)
    {
        long position = SegmentHeader.Size;
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            Span<byte> head = stackalloc byte[BatchHeader.Size];
            while (position + BatchHeader.Size <= length)
            {
                if (File.Read(position, head) != BatchHeader.Size || !BatchHeader.TryRead(head, out var header)
                    || header.BaseOffset != _view.Next || position + header.Length > length)
                {
                    break;
                }

                if (header.Length > buffer.Length)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(header.Length);
                }

                var batch = buffer.AsSpan(0, header.Length);
                if (File.Read(position, batch) != header.Length || !BatchHeader.CrcMatches(batch))
                {
                    break;
                }

                Track(header, position, entries);
                _view = new SegmentView(header.NextOffset, position + header.Length, Math.Max(_view.MaxTimestamp, header.MaxTimestamp));
                position += header.Length;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        AssignedNext = _view.Next;
        return position;
    }

    /// <summary>Creates a placeholder for a segment whose file could not be opened, so reads get the typed error.</summary>
    public static Segment Refused(IStorageFile file, long segmentId, CorruptDataException reason, FpsStoreOptions options)
    {
        var segment = new Segment(file, new SegmentHeader(segmentId, 0, 0, string.Empty), options.IndexIntervalBytes, 0);
        segment.Refuse(reason);
        segment.SealRequested = true;
        return segment;
    }

    /// <summary>Creates a new, empty segment file with a durable header.</summary>
    public static Segment Create(IStorageDevice device, SegmentHeader header, FpsStoreOptions options)
    {
        var file = device.Open(FileName(header.SegmentId), create: true);
        try
        {
            file.Truncate(0);
            Span<byte> bytes = stackalloc byte[SegmentHeader.Size];
            header.Write(bytes);
            file.Append(bytes);
            file.Flush();
            return new Segment(file, header, options.IndexIntervalBytes, options.TailCacheBytesPerSegment);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }
}
