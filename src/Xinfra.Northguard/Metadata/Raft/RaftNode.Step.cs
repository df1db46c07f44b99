namespace Xinfra.Northguard.Metadata.Raft;

/// <summary>Handling of messages from peers: the term rules common to all roles, then per-role dispatch.</summary>
public sealed partial class RaftNode
{
    /// <summary>Feeds one message received from a peer of this group.</summary>
    public void Step(RaftMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        EnsureNoOutstandingReady();
        if (message.To != Id || message.From == Id || message.From == 0)
        {
            return;
        }

        if (!StepTerm(message))
        {
            return;
        }

        switch (message.Type)
        {
            case MessageType.PreVote:
            case MessageType.Vote:
                HandleVoteRequest(message);
                return;
            default:
                break;
        }

        switch (Role)
        {
            case RaftRole.Leader:
                StepLeader(message);
                break;
            case RaftRole.Candidate:
            case RaftRole.PreCandidate:
                StepCandidate(message);
                break;
            default:
                StepFollower(message);
                break;
        }
    }

    /// <summary>Applies the term rules. False when the message must be dropped.</summary>
    private bool StepTerm(RaftMessage m)
    {
        bool isVoteRequest = m.Type is MessageType.PreVote or MessageType.Vote;
        if (m.Term > Term)
        {
            if (isVoteRequest && !m.Force && InLease())
            {
                // Leader lease: we heard from a live leader recently, so this candidate is disruptive.
                return false;
            }

            if (m.Type == MessageType.PreVote || (m.Type == MessageType.PreVoteResponse && !m.Reject))
            {
                // Pre-votes never change the term; a granted pre-vote carries the future term.
                return true;
            }

            bool fromLeader = m.Type is MessageType.Append or MessageType.Heartbeat or MessageType.InstallSnapshot;
            BecomeFollower(m.Term, fromLeader ? m.From : 0);
            return true;
        }

        if (m.Term < Term)
        {
            if (m.Type is MessageType.Append or MessageType.Heartbeat)
            {
                // A stale leader: tell it our term so it steps down (needed with pre-vote and check-quorum,
                // which otherwise leave it undisturbed).
                Send(new RaftMessage { Type = MessageType.AppendResponse, To = m.From, Term = Term });
            }
            else if (m.Type == MessageType.PreVote)
            {
                Send(new RaftMessage { Type = MessageType.PreVoteResponse, To = m.From, Term = Term, Reject = true });
            }

            return false;
        }

        return true;
    }

    private bool InLease() =>
        _options.CheckQuorum && Leader != 0 && _electionElapsed < _options.ElectionTick;

    private void HandleVoteRequest(RaftMessage m)
    {
        bool canVote = Vote == m.From
            || (Vote == 0 && Leader == 0)
            || (m.Type == MessageType.PreVote && m.Term > Term);
        var responseType = m.Type == MessageType.PreVote ? MessageType.PreVoteResponse : MessageType.VoteResponse;
        if (canVote && _log.IsUpToDate(m.Index, m.LogTerm))
        {
            Send(new RaftMessage { Type = responseType, To = m.From, Term = m.Term });
            if (m.Type == MessageType.Vote)
            {
                _electionElapsed = 0;
                Vote = m.From;
            }
        }
        else
        {
            Send(new RaftMessage { Type = responseType, To = m.From, Term = Term, Reject = true });
        }
    }

    private void StepCandidate(RaftMessage m)
    {
        switch (m.Type)
        {
            case MessageType.Append:
            case MessageType.Heartbeat:
            case MessageType.InstallSnapshot:
                // A leader exists in our term (or, for a pre-candidate, at least our term).
                BecomeFollower(m.Term, m.From);
                StepFollower(m);
                break;
            case MessageType.PreVoteResponse when Role == RaftRole.PreCandidate:
                RecordVote(m.From, !m.Reject, preVote: true);
                break;
            case MessageType.VoteResponse when Role == RaftRole.Candidate:
                RecordVote(m.From, !m.Reject, preVote: false);
                break;
            default:
                break;
        }
    }

    private void StepFollower(RaftMessage m)
    {
        switch (m.Type)
        {
            case MessageType.Append:
                _electionElapsed = 0;
                Leader = m.From;
                HandleAppend(m);
                break;
            case MessageType.Heartbeat:
                _electionElapsed = 0;
                Leader = m.From;
                HandleHeartbeat(m);
                break;
            case MessageType.InstallSnapshot:
                _electionElapsed = 0;
                Leader = m.From;
                HandleSnapshot(m);
                break;
            case MessageType.TimeoutNow:
                if (IsPromotable)
                {
                    Campaign(preVote: false, force: true);
                }

                break;
            case MessageType.ReadIndexResponse:
                _readStates.Add(new ReadState(m.Index, m.Context));
                break;
            default:
                break;
        }
    }
}
