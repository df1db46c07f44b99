namespace Xinfra.Northguard.Metadata.Raft;

/// <summary>The follower side of replication: appends, heartbeats and snapshots.</summary>
public sealed partial class RaftNode
{
    private void HandleAppend(RaftMessage m)
    {
        if (m.Index < _log.Committed)
        {
            Send(new RaftMessage { Type = MessageType.AppendResponse, To = m.From, Term = Term, Index = _log.Committed });
            return;
        }

        long lastNew = _log.MaybeAppend(m.Index, m.LogTerm, m.Commit, m.Entries);
        if (lastNew >= 0)
        {
            Send(new RaftMessage { Type = MessageType.AppendResponse, To = m.From, Term = Term, Index = lastNew });
        }
        else
        {
            Send(new RaftMessage
            {
                Type = MessageType.AppendResponse, To = m.From, Term = Term, Index = m.Index, Reject = true,
                RejectHint = Math.Min(m.Index, _log.LastIndex),
            });
        }
    }

    private void HandleHeartbeat(RaftMessage m)
    {
        _log.CommitTo(Math.Min(m.Commit, _log.LastIndex));
        Send(new RaftMessage { Type = MessageType.HeartbeatResponse, To = m.From, Term = Term, Context = m.Context });
    }

    private void HandleSnapshot(RaftMessage m)
    {
        var snapshot = m.Snapshot ?? throw new InvalidOperationException("InstallSnapshot without a snapshot.");
        if (Restore(snapshot))
        {
            Send(new RaftMessage { Type = MessageType.AppendResponse, To = m.From, Term = Term, Index = _log.LastIndex });
        }
        else
        {
            Send(new RaftMessage { Type = MessageType.AppendResponse, To = m.From, Term = Term, Index = _log.Committed });
        }
    }

    /// <summary>Installs a snapshot newer than the commit index. False when it brings nothing new.</summary>
    private bool Restore(RaftSnapshot snapshot)
    {
        if (snapshot.Index <= _log.Committed)
        {
            return false;
        }

        if (_log.MatchTerm(snapshot.Index, snapshot.Term))
        {
            // We hold the snapshot's last entry, hence the whole prefix: just commit it.
            _log.CommitTo(snapshot.Index);
            return false;
        }

        _log.Restore(snapshot);
        _voters.Clear();
        foreach (ulong voter in snapshot.Voters)
        {
            AddVoter(voter);
        }

        return true;
    }
}
