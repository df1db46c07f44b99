using Xinfra.Northguard.Metadata.Raft.Internal;

namespace Xinfra.Northguard.Metadata.Raft;

/// <summary>The leader's handling of follower answers, and leadership transfer.</summary>
public sealed partial class RaftNode
{
    private void StepLeader(RaftMessage m)
    {
        if (m.Type == MessageType.ReadIndex)
        {
            HandleReadIndexRequest(m.From, m.Context);
            return;
        }

        if (!_progress.TryGetValue(m.From, out var pr))
        {
            return;
        }

        switch (m.Type)
        {
            case MessageType.AppendResponse:
                pr.RecentActive = true;
                HandleAppendResponse(m, pr);
                break;
            case MessageType.HeartbeatResponse:
                pr.RecentActive = true;
                pr.ProbeSent = false;
                if (pr.Match < _log.LastIndex)
                {
                    SendAppend(m.From, sendIfEmpty: true);
                }

                if (m.Context != 0)
                {
                    AcknowledgeRead(m.From, m.Context);
                }

                break;
            default:
                break;
        }
    }

    private void HandleAppendResponse(RaftMessage m, Progress pr)
    {
        if (m.Reject)
        {
            if (pr.MaybeDecrease(m.Index, m.RejectHint))
            {
                SendAppend(m.From, sendIfEmpty: true);
            }

            return;
        }

        bool wasPaused = pr.IsPaused;
        if (pr.MaybeUpdate(m.Index))
        {
            if (pr.State == ProgressState.Probe
                || (pr.State == ProgressState.Snapshot && pr.Match >= pr.PendingSnapshot))
            {
                pr.BecomeReplicate();
            }

            if (MaybeCommit())
            {
                BroadcastAppend();
            }
            else if (wasPaused || pr.Next <= _log.LastIndex)
            {
                SendAppend(m.From, sendIfEmpty: false);
            }

            if (m.From == _leadTransferee && pr.Match == _log.LastIndex)
            {
                Send(new RaftMessage { Type = MessageType.TimeoutNow, To = m.From, Term = Term });
            }
        }
    }

    /// <summary>
    /// Leader only: hands leadership to <paramref name="to"/> once its log is current (it campaigns at once,
    /// bypassing pre-vote and the lease). Proposals are refused meanwhile; the transfer is abandoned after an
    /// election timeout.
    /// </summary>
    public ProposeResult TransferLeadership(ulong to)
    {
        EnsureNoOutstandingReady();
        if (Role != RaftRole.Leader)
        {
            return new ProposeResult(ProposeStatus.NotLeader, 0, Term, Leader);
        }

        if (to == Id || !_voters.Contains(to) || !_progress.TryGetValue(to, out var pr))
        {
            return new ProposeResult(ProposeStatus.Invalid, 0, Term, Id);
        }

        _leadTransferee = to;
        _electionElapsed = 0;
        if (pr.Match == _log.LastIndex)
        {
            Send(new RaftMessage { Type = MessageType.TimeoutNow, To = to, Term = Term });
        }
        else
        {
            SendAppend(to, sendIfEmpty: true);
        }

        return new ProposeResult(ProposeStatus.Accepted, 0, Term, Id);
    }
}
