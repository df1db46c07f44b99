namespace Xinfra.Northguard.Storage.Wal;

/// <summary>
/// The hand-off between the two stages of the group-commit pipeline: the WAL stage adds each group once it is written
/// and fsynced (or failed), the apply stage takes them in the same order, applies them and releases their waiters.
/// Bounded, so the WAL stage cannot run ahead of the segments by more than <see cref="Capacity"/> groups.
/// </summary>
internal sealed class ApplyQueue
{
    private readonly object _gate = new();
    private readonly Queue<(CommitGroup Group, Exception? Failure)> _groups = new();
    private long _added;
    private long _finished;
    private bool _completed;

    /// <summary>Creates a queue holding at most <paramref name="capacity"/> groups not yet finished.</summary>
    public ApplyQueue(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    /// <summary>How many groups may be added and not yet finished.</summary>
    public int Capacity { get; }

    /// <summary>Adds a group (with the WAL failure that ended it, if any); blocks while the queue is full.</summary>
    /// <exception cref="InvalidOperationException">The queue was completed.</exception>
    public void Add(CommitGroup group, Exception? failure)
    {
        lock (_gate)
        {
            if (_completed)
            {
                throw new InvalidOperationException("The apply queue was completed; no group can be added.");
            }

            while (_added - _finished >= Capacity)
            {
                Monitor.Wait(_gate);
            }

            _groups.Enqueue((group, failure));
            _added++;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Takes the oldest group, waiting for one; false once the queue is completed and empty.</summary>
    public bool TryTake(out CommitGroup group, out Exception? failure)
    {
        lock (_gate)
        {
            while (_groups.Count == 0 && !_completed)
            {
                Monitor.Wait(_gate);
            }

            if (_groups.Count == 0)
            {
                group = null!;
                failure = null;
                return false;
            }

            (group, failure) = _groups.Dequeue();
            return true;
        }
    }

    /// <summary>Marks the group last taken as applied and released.</summary>
    public void Finished()
    {
        lock (_gate)
        {
            _finished++;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Blocks until every group added so far is finished.</summary>
    public void WaitDrained()
    {
        lock (_gate)
        {
            while (_finished < _added)
            {
                Monitor.Wait(_gate);
            }
        }
    }

    /// <summary>No more groups will be added; <see cref="TryTake"/> returns false once the rest is taken.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            _completed = true;
            Monitor.PulseAll(_gate);
        }
    }
}
