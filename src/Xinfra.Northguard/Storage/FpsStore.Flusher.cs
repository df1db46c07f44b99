using Xinfra.Northguard.Storage.Diagnostics;
using Xinfra.Northguard.Storage.Index;
using Xinfra.Northguard.Storage.Wal;

namespace Xinfra.Northguard.Storage;

public sealed partial class FpsStore
{
    /// <summary>How many groups the WAL stage may have fsynced ahead of the apply stage.</summary>
    private const int ApplyQueueCapacity = 4;

    private readonly ApplyQueue _applyQueue = new(ApplyQueueCapacity);

    /// <summary>Starts the two stages of the group-commit pipeline, each on its own thread.</summary>
    private Task StartPipeline()
    {
        var wal = Task.Factory.StartNew(WalStageLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var apply = Task.Factory.StartNew(ApplyStageLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        return Task.WhenAll(wal, apply);
    }

    /// <summary>
    /// The WAL stage of the group commit, on its own thread so that it never queues behind producers' continuations on a
    /// busy thread pool: wait for a first append, keep the group open for the window (measured on the injected
    /// <see cref="TimeProvider"/>) or until it is full, write it to the WAL with one fsync and hand it to the apply stage
    /// (<see cref="ApplyStageLoop"/>), then start on the next group at once while the apply stage works on this one.
    /// </summary>
    private void WalStageLoop()
    {
        try
        {
            while (true)
            {
                CommitGroup group;
                lock (_appendLock)
                {
                    group = _current;
                }

                if (!Volatile.Read(ref _stopping))
                {
                    group.HasWork.Task.Wait();
                }

                if (_options.GroupCommitWindow > TimeSpan.Zero && !group.Full.Task.IsCompleted && !_stop.IsCancellationRequested)
                {
                    var window = Task.Delay(_options.GroupCommitWindow, _time, _stop.Token);
                    Task.WaitAny(group.Full.Task, window);
                }

                bool stopping;
                lock (_appendLock)
                {
                    _current = new CommitGroup();
                    stopping = _stopping;
                }

                if (group.Entries.Count > 0)
                {
                    var failure = WriteToWal(group);
                    _applyQueue.Add(group, failure);
                    if (failure is null && CheckpointDue())
                    {
                        // The roll's checkpoint entry holds each segment's applied end, and every batch of the old WAL
                        // must be in its segment before the roll: let the apply stage catch up first (once per roll).
                        _applyQueue.WaitDrained();
                        MaybeStartCheckpoint();
                    }
                }
                else
                {
                    group.Release();
                }

                if (stopping)
                {
                    return;
                }
            }
        }
        finally
        {
            _applyQueue.Complete();
        }
    }

    /// <summary>
    /// The apply stage: takes the fsynced groups in WAL order, writes their batches to the segment files and the index,
    /// publishes the new readable ends and releases the waiters. A group whose WAL write failed is failed here, in its
    /// turn, so that waiters are always released in offset order. A group fsynced before a later group's WAL failure is
    /// durable and is still applied and acknowledged, as it would have been by a serial flusher. After a failed apply
    /// every later group is failed (their batches would follow a gap in the segment).
    /// </summary>
    private void ApplyStageLoop()
    {
        var index = new List<IndexEntry>();
        Exception? applyFailure = null;
        while (_applyQueue.TryTake(out var group, out var walFailure))
        {
            var failure = walFailure ?? (applyFailure is null ? null : new StorageFailedException("Applying an earlier group to the segments failed.", applyFailure));
            if (failure is null)
            {
                try
                {
                    Apply(group, index);
                }
                catch (Exception ex)
                {
                    Fail(ex);
                    applyFailure = ex;
                    failure = ex;
                }
            }

            Complete(group, failure);
            _applyQueue.Finished();
        }
    }

    /// <summary>
    /// In <see cref="FpsStoreOptions.ManualFlush"/> mode, commits the open group now on the caller's thread: one WAL
    /// write and fsync, then the records become durable and readable. Returns false when there was nothing to commit.
    /// A failed WAL write or fsync fails the store as the flusher would (see <see cref="WaitForDurableAsync"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The store runs its own flusher.</exception>
    public bool FlushNow()
    {
        if (!_options.ManualFlush)
        {
            throw new InvalidOperationException("FlushNow needs FpsStoreOptions.ManualFlush; this store runs its own flusher.");
        }

        return CommitCurrentGroup();
    }

    private bool CommitCurrentGroup()
    {
        CommitGroup group;
        lock (_appendLock)
        {
            group = _current;
            _current = new CommitGroup();
        }

        if (group.Entries.Count == 0)
        {
            group.Release();
            return false;
        }

        Commit(group, []);
        return true;
    }

    /// <summary>
    /// Appends each batch to its segment file, in group order, then adds the group's index entries; on the caller's
    /// thread (the apply stage, or <see cref="FlushNow"/>), never on the shared thread pool, so a busy pool cannot stall
    /// it. (Writing a group's segments in parallel on the pool was measured: its apply p99 was 1.3-10x the sequential one's
    /// under load, see docs/benchmarks.md "Session 4: group commit pipeline".)
    /// </summary>
    private void Apply(CommitGroup group, List<IndexEntry> index)
    {
        var started = _time.GetTimestamp();
        index.Clear();

        // Segment by segment, in order of first appearance (each segment's batches in order), as before the pipeline:
        // the simulator's device sees the same sequence of writes.
        var done = new HashSet<Segments.Segment>();
        var entries = group.Entries;
        for (var i = 0; i < entries.Count; i++)
        {
            var segment = entries[i].Segment;
            if (!done.Add(segment))
            {
                continue;
            }

            for (var j = i; j < entries.Count; j++)
            {
                var (s, start, length) = entries[j];
                if (s == segment && !s.IsDeleted)
                {
                    s.Apply(group.Batch(start, length), index);
                }
            }
        }

        _index.Add(index);
        StorageMetrics.RecordApply(_time.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>Writes the group to the WAL with one fsync; returns the failure (the store is failed then), or null.</summary>
    private Exception? WriteToWal(CommitGroup group)
    {
        try
        {
            if (_failure is { } earlier)
            {
                return new StorageFailedException("The store's write-ahead log failed earlier.", earlier);
            }

            var started = _time.GetTimestamp();
            _wal!.Append(group.Buffer);
            _wal.Flush();
            StorageMetrics.RecordGroupCommit(group.Length, _time.GetElapsedTime(started).TotalMilliseconds);
            return null;
        }
        catch (Exception ex)
        {
            // Never retry a failed fsync: the page cache may have dropped the dirty pages. Stop writing instead.
            Fail(ex);
            return ex;
        }
    }

    /// <summary>Serial commit (manual-flush mode): WAL write and fsync, apply, release, then a checkpoint if due.</summary>
    private void Commit(CommitGroup group, List<IndexEntry> index)
    {
        var failure = WriteToWal(group);
        if (failure is null)
        {
            try
            {
                Apply(group, index);
            }
            catch (Exception ex)
            {
                Fail(ex);
                failure = ex;
            }
        }

        Complete(group, failure);
        if (failure is null)
        {
            MaybeStartCheckpoint();
        }
    }

    /// <summary>Releases the group's waiters (with the failure, if any), trims the segments' pending lists, frees it.</summary>
    private void Complete(CommitGroup group, Exception? failure)
    {
        if (failure is null)
        {
            group.Durable.TrySetResult();
        }
        else
        {
            group.Durable.TrySetException(failure as StorageFailedException ?? new StorageFailedException("Writing or fsyncing the write-ahead log failed.", failure));
        }

        lock (_appendLock)
        {
            foreach (var (segment, _, _) in group.Entries)
            {
                var pending = segment.Pending;
                var n = 0;
                while (n < pending.Count && pending[n].Group == group)
                {
                    n++;
                }

                pending.RemoveRange(0, n);
            }
        }

        group.Release();
    }
}
