namespace Xinfra.Northguard.Metadata.Raft.Internal;

/// <summary>
/// A group's log as the node sees it: the stable storage plus the unstable tail (entries and at most one snapshot
/// not yet persisted), with the commit and apply indexes.
/// </summary>
internal sealed partial class RaftLog
{
    private readonly IRaftStorage _storage;
    private readonly List<LogEntry> _unstable = [];
    private long _unstableOffset;

    public RaftLog(IRaftStorage storage)
    {
        _storage = storage;
        _unstableOffset = storage.LastIndex + 1;
        Committed = storage.FirstIndex - 1;
        Applied = storage.FirstIndex - 1;
    }

    /// <summary>A received snapshot not yet persisted.</summary>
    public RaftSnapshot? PendingSnapshot { get; private set; }

    public long Committed { get; private set; }

    public long Applied { get; private set; }

    public long FirstIndex => PendingSnapshot is { } s ? s.Index + 1 : _storage.FirstIndex;

    public long LastIndex
    {
        get
        {
            if (_unstable.Count > 0)
            {
                return _unstableOffset + _unstable.Count - 1;
            }

            return PendingSnapshot is { } s ? s.Index : _storage.LastIndex;
        }
    }

    public long LastTerm => TryGetTerm(LastIndex, out long t) ? t : throw new InvalidOperationException("No last term.");

    public bool TryGetTerm(long index, out long term)
    {
        term = 0;
        if (index < FirstIndex - 1 || index > LastIndex)
        {
            return false;
        }

        if (index >= _unstableOffset && _unstable.Count > 0 && index < _unstableOffset + _unstable.Count)
        {
            term = _unstable[(int)(index - _unstableOffset)].Term;
            return true;
        }

        if (PendingSnapshot is { } snap)
        {
            if (index == snap.Index)
            {
                term = snap.Term;
                return true;
            }

            return false;
        }

        return _storage.TryGetTerm(index, out term);
    }

    public bool MatchTerm(long index, long term) => TryGetTerm(index, out long t) && t == term;

    /// <summary>True when a log ending at (<paramref name="lastIndex"/>, <paramref name="lastTerm"/>) is at least
    /// as up to date as this one (Raft §5.4.1).</summary>
    public bool IsUpToDate(long lastIndex, long lastTerm)
    {
        long myTerm = LastTerm;
        return lastTerm > myTerm || (lastTerm == myTerm && lastIndex >= LastIndex);
    }

    /// <summary>Copies entries [low, high) (high capped at last + 1, at most <paramref name="max"/>).</summary>
    public List<LogEntry> Slice(long low, long high, int max)
    {
        var result = new List<LogEntry>();
        high = Math.Min(Math.Min(high, LastIndex + 1), low + max);
        if (low >= high)
        {
            return result;
        }

        if (low < FirstIndex)
        {
            throw new InvalidOperationException($"Entry {low} was compacted (first index {FirstIndex}).");
        }

        if (low < _unstableOffset)
        {
            _storage.GetEntries(low, Math.Min(high, _unstableOffset), result);
        }

        for (long i = Math.Max(low, _unstableOffset); i < high; i++)
        {
            result.Add(_unstable[(int)(i - _unstableOffset)]);
        }

        return result;
    }

    public void CommitTo(long index)
    {
        if (index <= Committed)
        {
            return;
        }

        if (index > LastIndex)
        {
            throw new InvalidOperationException($"Commit {index} is beyond the last index {LastIndex}.");
        }

        Committed = index;
    }

    /// <summary>Leader rule: commit <paramref name="index"/> only when its entry is from the current term.</summary>
    public bool MaybeCommit(long index, long term)
    {
        if (index > Committed && MatchTerm(index, term))
        {
            CommitTo(index);
            return true;
        }

        return false;
    }

    public void AppliedTo(long index)
    {
        if (index < Applied || index > Committed)
        {
            throw new InvalidOperationException($"Applied {index} is outside [{Applied}, {Committed}].");
        }

        Applied = index;
    }

    public void RestoreAppliedAfterRestart(long applied)
    {
        Applied = Math.Max(Applied, Math.Min(applied, Committed));
    }
}
