using Xinfra.Northguard.Storage.Diagnostics;
using Xinfra.Northguard.Storage.Wal;

namespace Xinfra.Northguard.Storage;

public sealed partial class FpsStore
{
    private Task _checkpoint = Task.CompletedTask;

    /// <summary>
    /// Test hook called at each step of a checkpoint, on the thread running it (the checkpoint thread, or the caller in
    /// <see cref="FpsStoreOptions.ManualFlush"/> mode). An exception thrown here fails the checkpoint like an I/O error.
    /// </summary>
    internal Action<CheckpointStep>? CheckpointHook { get; set; }

    /// <summary>
    /// Starts a checkpoint from the flusher once the WAL is big enough: rolls to a new WAL file at once (no fsync: the
    /// next group commit makes it durable), then fsyncs the segment files and deletes the older WAL files on a
    /// background thread, so group commits go on meanwhile. While a checkpoint runs no other starts; the WAL keeps
    /// growing until it is done. In manual-flush mode every step runs inline, so the schedule stays deterministic.
    /// </summary>
    private void MaybeStartCheckpoint()
    {
        long covered;
        try
        {
            if (!CheckpointDue())
            {
                return;
            }

            covered = RollWal(OpenSegmentEnds(), flush: false);
        }
        catch (Exception ex)
        {
            Fail(ex);
            return;
        }

        if (_options.ManualFlush)
        {
            CompleteCheckpoint(covered);
        }
        else
        {
            _checkpoint = Task.Factory.StartNew(() => CompleteCheckpoint(covered), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
    }

    /// <summary>
    /// True when the WAL has grown past the threshold, no checkpoint runs and the store has not failed. A WAL file that
    /// cannot tell its length fails the store (and no checkpoint is due).
    /// </summary>
    private bool CheckpointDue()
    {
        try
        {
            return _checkpoint.IsCompleted && _failure is null && _wal!.Length >= _options.WalCheckpointBytes;
        }
        catch (Exception ex)
        {
            Fail(ex);
            return false;
        }
    }

    /// <summary>A full checkpoint inline, for recovery: roll, fsync segments and index, delete every older WAL file.</summary>
    private void Checkpoint()
    {
        try
        {
            var covered = RollWal(OpenSegmentEnds(), flush: true);
            CompleteCheckpoint(covered);
        }
        catch (Exception ex)
        {
            Fail(ex);
        }
    }

    /// <summary>
    /// Makes durable every segment byte applied from WAL files up to <paramref name="covered"/> (all of it was applied
    /// before the roll), syncs the index, then deletes those WAL files oldest first. A crash before the last delete
    /// leaves files that recovery replays in order; entries already in a segment are skipped there.
    /// </summary>
    private void CompleteCheckpoint(long covered)
    {
        try
        {
            CheckpointHook?.Invoke(CheckpointStep.Rolled);
            lock (_maintenanceLock)
            {
                foreach (var segment in _segments.Values)
                {
                    if (segment.IsDeleted || segment.Refusal is not null || !segment.Dirty)
                    {
                        continue;
                    }

                    // Clear before the fsync: a concurrent apply marks the segment dirty again for the next checkpoint.
                    segment.Dirty = false;
                    var started = _time.GetTimestamp();
                    segment.File.Flush();
                    StorageMetrics.RecordSegmentFsync(_time.GetElapsedTime(started).TotalMilliseconds);
                }

                _index.Sync();
            }

            CheckpointHook?.Invoke(CheckpointStep.SegmentsSynced);
            foreach (var existing in _device.ListFiles())
            {
                if (WalFormat.TryParseFileName(existing, out var s) && s <= covered)
                {
                    _device.Delete(existing);
                }
            }

            // Create the next WAL file now, so the next roll on the flusher does not pay for the directory fsync.
            _device.Open(WalFormat.FileName(covered + 2), create: true).Dispose();
            CheckpointHook?.Invoke(CheckpointStep.WalDeleted);
        }
        catch (Exception ex)
        {
            Fail(ex);
        }
    }

    private List<(long SegmentId, long NextOffset)> OpenSegmentEnds()
    {
        var open = new List<(long SegmentId, long NextOffset)>();
        foreach (var segment in _segments.Values)
        {
            if (!segment.IsDeleted && segment.Refusal is null && !segment.IsSealed)
            {
                open.Add((segment.Id, segment.View.Next));
            }
        }

        return open;
    }

    /// <summary>
    /// Switches group commits to a new WAL file that opens with a checkpoint entry (each open segment's next offset)
    /// and returns the last sequence it covers. Unflushed, a crash can tear its header: it then holds nothing, since
    /// no group commit was acknowledged from it.
    /// </summary>
    private long RollWal(List<(long SegmentId, long NextOffset)> open, bool flush)
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
            if (flush)
            {
                file.Flush();
            }
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
        Log.WalRolled(_logger, name);
        return sequence - 1;
    }

    private void Fail(Exception ex)
    {
        Interlocked.CompareExchange(ref _failure, ex, null);
        Log.WalFailed(_logger, ex);
    }
}
