using Xinfra.Northguard.Storage.Diagnostics;
using Xinfra.Northguard.Storage.Index;
using Xinfra.Northguard.Storage.Wal;

namespace Xinfra.Northguard.Storage;

public sealed partial class FpsStore
{
    /// <summary>
    /// The group-commit loop, on its own thread so that it never queues behind producers' continuations on a busy
    /// thread pool: wait for a first append, keep the group open for the window (measured on the injected
    /// <see cref="TimeProvider"/>) or until it is full, then write it to the WAL with one fsync, apply it to the segment
    /// files and the index, and release its waiters.
    /// </summary>
    private void FlushLoop()
    {
        var index = new List<IndexEntry>();
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
                Commit(group, index);
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
    /// Appends each batch to its segment file. Segments are independent, so with O_DIRECT (where every append waits
    /// for the device) the segments of a group are written in parallel; each segment's batches stay in order.
    /// </summary>
    private static void ApplyToSegments(CommitGroup group, List<IndexEntry> index, bool sequential)
    {
        var bySegment = new Dictionary<Segments.Segment, List<IndexEntry>>();
        foreach (var (segment, _, _) in group.Entries)
        {
            bySegment.TryAdd(segment, []);
        }

        void Apply(Segments.Segment segment, List<IndexEntry> entries)
        {
            foreach (var (s, start, length) in group.Entries)
            {
                if (s == segment && !s.IsDeleted)
                {
                    s.Apply(group.Batch(start, length), entries);
                }
            }
        }

        if (bySegment.Count == 1 || sequential)
        {
            foreach (var (segment, entries) in bySegment)
            {
                Apply(segment, entries);
            }
        }
        else
        {
            Parallel.ForEach(bySegment, pair => Apply(pair.Key, pair.Value));
        }

        foreach (var entries in bySegment.Values)
        {
            index.AddRange(entries);
        }
    }

    private void Commit(CommitGroup group, List<IndexEntry> index)
    {
        var committed = false;
        try
        {
            if (_failure is { } earlier)
            {
                throw new StorageFailedException("The store's write-ahead log failed earlier.", earlier);
            }

            var started = _time.GetTimestamp();
            _wal!.Append(group.Buffer);
            _wal.Flush();
            var synced = _time.GetTimestamp();
            StorageMetrics.RecordGroupCommit(group.Length, _time.GetElapsedTime(started, synced).TotalMilliseconds);
            index.Clear();
            ApplyToSegments(group, index, _options.ManualFlush);
            _index.Add(index);
            StorageMetrics.RecordApply(_time.GetElapsedTime(synced).TotalMilliseconds);
            group.Durable.TrySetResult();
            committed = true;
        }
        catch (Exception ex)
        {
            // Never retry a failed fsync: the page cache may have dropped the dirty pages. Stop writing instead.
            Fail(ex);
            group.Durable.TrySetException(ex as StorageFailedException ?? new StorageFailedException("Writing or fsyncing the write-ahead log failed.", ex));
        }
        finally
        {
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

        if (committed)
        {
            MaybeStartCheckpoint();
        }
    }
}
