namespace Xinfra.Northguard.Metadata.Raft.Internal;

/// <summary>Appending, conflict resolution and the persisted/unpersisted boundary.</summary>
internal sealed partial class RaftLog
{
    /// <summary>Follower rule: append after (index, logTerm) if it matches. Returns the last new index or -1.</summary>
    public long MaybeAppend(long index, long logTerm, long leaderCommit, IReadOnlyList<LogEntry> entries)
    {
        if (!MatchTerm(index, logTerm))
        {
            return -1;
        }

        long lastNew = index + entries.Count;
        int conflict = FindConflict(entries);
        if (conflict >= 0)
        {
            if (entries[conflict].Index <= Committed)
            {
                throw new InvalidOperationException($"Entry {entries[conflict].Index} conflicts with the committed log.");
            }

            Append(entries, conflict);
        }

        CommitTo(Math.Min(leaderCommit, lastNew));
        return lastNew;
    }

    /// <summary>The position in <paramref name="entries"/> of the first entry this log lacks or contradicts, or -1.</summary>
    private int FindConflict(IReadOnlyList<LogEntry> entries)
    {
        for (int i = 0; i < entries.Count; i++)
        {
            if (!MatchTerm(entries[i].Index, entries[i].Term))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Appends entries[from..], dropping any existing suffix they replace.</summary>
    public void Append(IReadOnlyList<LogEntry> entries, int from = 0)
    {
        if (from >= entries.Count)
        {
            return;
        }

        long after = entries[from].Index;
        if (after > LastIndex + 1 || after <= Committed)
        {
            throw new InvalidOperationException($"Cannot append at {after}: last {LastIndex}, committed {Committed}.");
        }

        if (after == _unstableOffset + _unstable.Count)
        {
            // Plain append.
        }
        else if (after <= _unstableOffset)
        {
            _unstable.Clear();
            _unstableOffset = after;
        }
        else
        {
            int keep = (int)(after - _unstableOffset);
            _unstable.RemoveRange(keep, _unstable.Count - keep);
        }

        for (int i = from; i < entries.Count; i++)
        {
            _unstable.Add(entries[i]);
        }
    }

    /// <summary>The entries the host must persist.</summary>
    public List<LogEntry> UnstableEntries() => [.. _unstable];

    public bool HasUnstable => _unstable.Count > 0;

    /// <summary>The host persisted entries up to (index, term).</summary>
    public void StableTo(long index, long term)
    {
        if (_unstable.Count == 0 || index < _unstableOffset || !MatchTerm(index, term))
        {
            return;
        }

        int drop = (int)(index + 1 - _unstableOffset);
        if (drop > _unstable.Count)
        {
            return;
        }

        _unstable.RemoveRange(0, drop);
        _unstableOffset = index + 1;
    }

    /// <summary>The host persisted the pending snapshot at <paramref name="index"/>.</summary>
    public void StableSnapshotTo(long index)
    {
        if (PendingSnapshot is { } s && s.Index == index)
        {
            PendingSnapshot = null;
        }
    }

    /// <summary>Replaces the log by a snapshot (not yet persisted).</summary>
    public void Restore(RaftSnapshot snapshot)
    {
        PendingSnapshot = snapshot;
        _unstable.Clear();
        _unstableOffset = snapshot.Index + 1;
        Committed = snapshot.Index;
    }

    /// <summary>Committed entries not yet handed to the application, at most <paramref name="max"/>.</summary>
    public List<LogEntry> NextCommitted(int max)
    {
        long low = Math.Max(Applied + 1, FirstIndex);
        return Slice(low, Committed + 1, max);
    }

    public bool HasNextCommitted => Committed > Math.Max(Applied, FirstIndex - 1);
}
