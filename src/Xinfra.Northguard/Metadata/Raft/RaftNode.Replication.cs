using Xinfra.Northguard.Metadata.Raft.Internal;

namespace Xinfra.Northguard.Metadata.Raft;

/// <summary>Log replication: proposals, appends, heartbeats and commit.</summary>
public sealed partial class RaftNode
{
    /// <summary>Proposes application data. Only the leader accepts; the entry commits unless leadership is lost.</summary>
    public ProposeResult Propose(ReadOnlyMemory<byte> data) => ProposeEntry(EntryKind.Normal, data);

    private ProposeResult ProposeEntry(EntryKind kind, ReadOnlyMemory<byte> data)
    {
        EnsureNoOutstandingReady();
        if (Role != RaftRole.Leader)
        {
            return new ProposeResult(ProposeStatus.NotLeader, 0, Term, Leader);
        }

        if (_leadTransferee != 0)
        {
            return new ProposeResult(ProposeStatus.TransferInProgress, 0, Term, Leader);
        }

        long index = AppendEntries([new LogEntry(0, 0, kind, data)]);
        BroadcastAppend();
        return new ProposeResult(ProposeStatus.Accepted, index, Term, Id);
    }

    /// <summary>Leader: stamps entries with the next indexes and the current term and appends them.</summary>
    private long AppendEntries(LogEntry[] entries)
    {
        long last = _log.LastIndex;
        for (int i = 0; i < entries.Length; i++)
        {
            entries[i] = entries[i] with { Index = last + 1 + i, Term = Term };
        }

        _log.Append(entries);
        _progress[Id].SetSelf(_log.LastIndex);
        MaybeCommit();
        return _log.LastIndex;
    }

    /// <summary>Commits the highest index a quorum holds, if it is from the current term (Raft §5.4.2).</summary>
    private bool MaybeCommit()
    {
        Span<long> matches = stackalloc long[_voters.Count];
        int n = 0;
        foreach (ulong voter in _voters)
        {
            matches[n++] = _progress.TryGetValue(voter, out var pr) ? pr.Match : 0;
        }

        if (n == 0)
        {
            return false;
        }

        matches.Sort();
        long quorumMatch = matches[n - Quorum];
        return _log.MaybeCommit(quorumMatch, Term);
    }

    private void BroadcastAppend()
    {
        foreach (ulong voter in _voters)
        {
            if (voter != Id)
            {
                SendAppend(voter, sendIfEmpty: true);
            }
        }
    }

    private void SendAppend(ulong to, bool sendIfEmpty)
    {
        if (!_progress.TryGetValue(to, out var pr) || pr.IsPaused)
        {
            return;
        }

        long prevIndex = pr.Next - 1;
        if (!_log.TryGetTerm(prevIndex, out long prevTerm) || pr.Next < _log.FirstIndex)
        {
            SendSnapshot(to, pr);
            return;
        }

        var entries = _log.Slice(pr.Next, _log.LastIndex + 1, _options.MaxEntriesPerMessage);
        if (entries.Count == 0 && !sendIfEmpty)
        {
            return;
        }

        Send(new RaftMessage
        {
            Type = MessageType.Append, To = to, Term = Term, Index = prevIndex, LogTerm = prevTerm,
            Entries = entries, Commit = _log.Committed,
        });
        pr.SentTo(entries.Count > 0 ? entries[^1].Index : prevIndex);
    }

    private void SendSnapshot(ulong to, Progress pr)
    {
        var snapshot = _log.PendingSnapshot ?? _storage.Snapshot;
        if (snapshot.Index == 0)
        {
            return;
        }

        Send(new RaftMessage { Type = MessageType.InstallSnapshot, To = to, Term = Term, Snapshot = snapshot });
        pr.SentSnapshot(snapshot.Index);
    }

    private void BroadcastHeartbeat(long context)
    {
        foreach (ulong voter in _voters)
        {
            if (voter == Id || !_progress.TryGetValue(voter, out var pr))
            {
                continue;
            }

            // Never tell a follower to commit beyond what it is known to hold.
            long commit = Math.Min(pr.Match, _log.Committed);
            Send(new RaftMessage { Type = MessageType.Heartbeat, To = voter, Term = Term, Commit = commit, Context = context });
        }
    }
}
