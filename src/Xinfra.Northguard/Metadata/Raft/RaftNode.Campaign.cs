namespace Xinfra.Northguard.Metadata.Raft;

/// <summary>Campaigns and vote counting.</summary>
public sealed partial class RaftNode
{
    private void Campaign(bool preVote, bool force)
    {
        long voteTerm;
        MessageType type;
        if (preVote)
        {
            BecomePreCandidate();
            type = MessageType.PreVote;
            voteTerm = Term + 1;
        }
        else
        {
            BecomeCandidate();
            type = MessageType.Vote;
            voteTerm = Term;
        }

        if (RecordVote(Id, granted: true, preVote) != VoteResult.Pending)
        {
            return;
        }

        long lastIndex = _log.LastIndex;
        long lastTerm = _log.LastTerm;
        foreach (ulong voter in _voters)
        {
            if (voter != Id)
            {
                Send(new RaftMessage
                {
                    Type = type, To = voter, Term = voteTerm, Index = lastIndex, LogTerm = lastTerm, Force = force,
                });
            }
        }
    }

    private enum VoteResult
    {
        Pending,
        Won,
        Lost,
    }

    /// <summary>Counts a vote; on a win or a loss, makes the transition.</summary>
    private VoteResult RecordVote(ulong from, bool granted, bool preVote)
    {
        _votes.TryAdd(from, granted);
        int yes = 0;
        int no = 0;
        foreach (ulong voter in _voters)
        {
            if (_votes.TryGetValue(voter, out bool g))
            {
                if (g)
                {
                    yes++;
                }
                else
                {
                    no++;
                }
            }
        }

        if (yes >= Quorum)
        {
            if (preVote)
            {
                Campaign(preVote: false, force: false);
            }
            else
            {
                BecomeLeader();
            }

            return VoteResult.Won;
        }

        if (no >= Quorum)
        {
            BecomeFollower(Term, 0);
            return VoteResult.Lost;
        }

        return VoteResult.Pending;
    }
}
