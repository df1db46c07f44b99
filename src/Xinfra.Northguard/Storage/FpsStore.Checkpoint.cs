using Xinfra.Northguard.Storage.Diagnostics;
using Xinfra.Northguard.Storage.Wal;

namespace Xinfra.Northguard.Storage;

public sealed partial class FpsStore
{
    /// <summary>
    /// Makes the segment files and the index durable, then starts a new WAL file that opens with a checkpoint entry
    /// (each open segment's next offset) and deletes the older WAL files. Runs on the flusher or during recovery.
    /// </summary>
    private void Checkpoint()
    {
        try
        {
            lock (_maintenanceLock)
            {
                var open = new List<(long SegmentId, long NextOffset)>();
                foreach (var segment in _segments.Values)
                {
                    if (segment.IsDeleted || segment.Refusal is not null)
                    {
                        continue;
                    }

                    if (segment.Dirty)
                    {
                        var started = _time.GetTimestamp();
                        segment.File.Flush();
                        segment.Dirty = false;
                        StorageMetrics.RecordSegmentFsync(_time.GetElapsedTime(started).TotalMilliseconds);
                    }

                    if (!segment.IsSealed)
                    {
                        open.Add((segment.Id, segment.View.Next));
                    }
                }

                _index.Sync();
                RollWal(open);
            }
        }
        catch (Exception ex)
        {
            Interlocked.CompareExchange(ref _failure, ex, null);
            Log.WalFailed(_logger, ex);
        }
    }

    private void RollWal(List<(long SegmentId, long NextOffset)> open)
    {
        var sequence = _walSequence + 1;
        var name = WalFormat.FileName(sequence);
        var file = _device.Open(name, create: true);
        try
        {
            file.Truncate(0);
            var header = new byte[WalFormat.FileHeaderSize];
            WalFormat.WriteFileHeader(header, sequence);
            file.Append(header);
            file.Append(WalFormat.EncodeCheckpoint(open));
            file.Flush();
        }
        catch
        {
            file.Dispose();
            throw;
        }

        var old = _wal;
        _wal = file;
        _walSequence = sequence;
        old?.Dispose();
        foreach (var existing in _device.ListFiles())
        {
            if (WalFormat.TryParseFileName(existing, out var s) && s < sequence)
            {
                _device.Delete(existing);
            }
        }

        Log.WalRolled(_logger, name);
    }
}
