using System.Buffers.Binary;
using Xinfra.Northguard.Storage.Diagnostics;
using Xinfra.Northguard.Storage.Format;
using Xinfra.Northguard.Storage.Index;
using Xinfra.Northguard.Storage.Wal;

namespace Xinfra.Northguard.Storage;

public sealed partial class FpsStore
{
    /// <summary>Replays one WAL file; stops at the first torn or corrupt entry (the torn tail). Returns entries applied.</summary>
    private int ReplayWal(string name, List<IndexEntry> entries)
    {
        byte[] content;
        using (var file = _device.Open(name, create: false))
        {
            content = new byte[file.Length];
            var read = 0;
            while (read < content.Length)
            {
                var n = file.Read(read, content.AsSpan(read));
                if (n == 0)
                {
                    break;
                }

                read += n;
            }
        }

        try
        {
            WalFormat.CheckFileHeader(content, name);
        }
        catch (CorruptDataException ex)
        {
            // A WAL file's header becomes durable with its first group commit (or when recovery rolls), so a bad
            // header means no commit was acknowledged from it: it was pre-created, or rolled to just before the crash.
            Log.TornTailTruncated(_logger, name, ex.Position);
            return 0;
        }

        var applied = 0;
        var position = WalFormat.FileHeaderSize;
        while (WalFormat.TryReadEntry(content.AsSpan(position), out var type, out var length))
        {
            var entry = content.AsSpan(position, length);
            if (type == WalFormat.DataEntry && ReplayData(entry, name, position, entries))
            {
                applied++;
            }
            else if (type == WalFormat.CheckpointEntry)
            {
                CheckCheckpoint(entry, name, position);
            }

            position += length;
        }

        if (position < content.Length)
        {
            Log.TornTailTruncated(_logger, name, position);
        }

        return applied;
    }

    private bool ReplayData(ReadOnlySpan<byte> entry, string wal, long position, List<IndexEntry> entries)
    {
        var segmentId = BinaryPrimitives.ReadInt64LittleEndian(entry[WalFormat.EntryHeaderSize..]);
        var batch = entry[WalFormat.DataPrefixSize..];
        if (!_segments.TryGetValue(segmentId, out var segment) || segment.IsSealed || segment.Refusal is not null
            || !BatchHeader.TryRead(batch, out var header))
        {
            return false;
        }

        var next = segment.View.Next;
        if (header.BaseOffset < next)
        {
            return false;
        }

        if (header.BaseOffset > next)
        {
            RefuseGap(segment, wal, position, header.BaseOffset);
            return false;
        }

        segment.Apply(batch, entries);
        segment.AssignedNext = header.NextOffset;
        return true;
    }

    private void CheckCheckpoint(ReadOnlySpan<byte> entry, string wal, long position)
    {
        var count = BinaryPrimitives.ReadInt32LittleEndian(entry[WalFormat.EntryHeaderSize..]);
        for (var i = 0; i < count; i++)
        {
            var at = WalFormat.EntryHeaderSize + 4 + (i * 16);
            var segmentId = BinaryPrimitives.ReadInt64LittleEndian(entry[at..]);
            var next = BinaryPrimitives.ReadInt64LittleEndian(entry[(at + 8)..]);
            if (_segments.TryGetValue(segmentId, out var segment) && segment.Refusal is null && segment.View.Next < next)
            {
                RefuseGap(segment, wal, position, next);
            }
        }
    }

    private void RefuseGap(Segments.Segment segment, string wal, long position, long expected)
    {
        var reason = new CorruptDataException(
            $"Segment {segment.Id} file '{segment.File.Name}' ends at offset {segment.View.Next} but WAL '{wal}' at position {position} proves offset {expected} was durable: the segment lost acknowledged data.",
            segment.File.Name,
            segment.View.Length);
        segment.SealRequested = true;
        RefuseOnOpen(segment, reason);
    }
}
