using Xinfra.Northguard.Storage.Diagnostics;
using Xinfra.Northguard.Storage.Format;
using Xinfra.Northguard.Storage.Index;
using Xinfra.Northguard.Storage.Segments;

namespace Xinfra.Northguard.Storage;

public sealed partial class FpsStore
{
    /// <summary>
    /// Opens every segment (cutting torn tails), replays the WAL files in order onto the segments, then checkpoints so
    /// the recovered state is durable and the old WAL files can go. Corrupt segments are kept but refused.
    /// </summary>
    private void Recover()
    {
        var entries = new List<IndexEntry>();
        var walFiles = new List<(long Sequence, string Name)>();
        foreach (var name in _device.ListFiles())
        {
            if (Segment.TryParseFileName(name, out var id))
            {
                if (OpenSegment(name, id, entries) is { } segment)
                {
                    _segments[id] = segment;
                }
            }
            else if (Wal.WalFormat.TryParseFileName(name, out var sequence))
            {
                walFiles.Add((sequence, name));
            }
        }

        walFiles.Sort();
        var replayed = 0;
        foreach (var (sequence, name) in walFiles)
        {
            replayed += ReplayWal(name, entries);
            _walSequence = Math.Max(_walSequence, sequence);
        }

        _index.Add(entries);
        Checkpoint();
        if (_failure is { } failure)
        {
            throw new StorageFailedException("Recovery could not make the recovered state durable.", failure);
        }

        Log.Recovered(_logger, _segments.Count, replayed, walFiles.Count);
    }

    private Segment? OpenSegment(string name, long id, List<IndexEntry> entries)
    {
        var file = _device.Open(name, create: false);
        if (file.Length < SegmentHeader.Size && _index.GetSeal(id) is null)
        {
            // The crash interrupted CreateSegment before its header was durable: no append can have reached it.
            file.Dispose();
            _device.Delete(name);
            Log.TornTailTruncated(_logger, name, 0);
            return null;
        }

        Segment segment;
        try
        {
            var header = new byte[SegmentHeader.Size];
            var read = file.Read(0, header);
            segment = new Segment(file, SegmentHeader.Read(header.AsSpan(0, read), name), _options.IndexIntervalBytes, _options.TailCacheBytesPerSegment);
        }
        catch (CorruptDataException ex)
        {
            return RefuseOnOpen(Segment.Refused(file, id, ex, _options), ex);
        }

        try
        {
            var cut = segment.Recover(_index, entries);
            if (cut >= 0)
            {
                Log.TornTailTruncated(_logger, name, cut);
            }

            return segment;
        }
        catch (CorruptDataException ex)
        {
            segment.SealRequested = true;
            return RefuseOnOpen(segment, ex);
        }
    }

    private Segment RefuseOnOpen(Segment segment, CorruptDataException reason)
    {
        segment.Refuse(reason);
        StorageMetrics.RecordRefusedSegment();
        Log.SegmentRefused(_logger, segment.Id, reason.Message);
        return segment;
    }
}
