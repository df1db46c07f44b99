using Xinfra.Northguard.Metadata.Raft.Internal;

namespace Xinfra.Northguard.Metadata.Raft;

/// <summary>Ticks, role transitions and elections (with pre-vote).</summary>
public sealed partial class RaftNode
{
    /// <summary>Advances logical time by one tick: followers may campaign, the leader heartbeats and checks its quorum.</summary>
    public void Tick()
    {
        EnsureNoOutstandingReady();
        if (Role == RaftRole.Leader)
        {
            TickLeader();
            return;
        }

        _electionElapsed++;
        if (IsPromotable && _electionElapsed >= _randomizedElectionTimeout)
        {
            _electionElapsed = 0;
            Campaign(_options.PreVote, force: false);
        }
    }

    /// <summary>Starts an election now (as if the election timeout elapsed). Ignored when not a voter or leader.</summary>
    public void Campaign()
    {
        EnsureNoOutstandingReady();
        if (Role != RaftRole.Leader && IsPromotable)
        {
            Campaign(_options.PreVote, force: false);
        }
    }

    private void TickLeader()
    {
        _heartbeatElapsed++;
        _electionElapsed++;
        foreach (var pr in _progress.Values)
        {
            // A snapshot that is not acknowledged within an election timeout is presumed lost: probe again.
            if (pr.State == ProgressState.Snapshot && ++pr.SnapshotTicks >= _options.ElectionTick)
            {
                pr.BecomeProbe();
            }
        }

        if (_electionElapsed >= _options.ElectionTick)
        {
            _electionElapsed = 0;
            if (_options.CheckQuorum && !QuorumActive())
            {
                BecomeFollower(Term, 0);
                return;
            }

            _leadTransferee = 0; // A transfer that did not finish within an election timeout is abandoned.
        }

        if (_heartbeatElapsed >= _options.HeartbeatTick)
        {
            _heartbeatElapsed = 0;
            BroadcastHeartbeat(0);
        }
    }

    private bool QuorumActive()
    {
        int active = 0;
        foreach (ulong voter in _voters)
        {
            if (voter == Id)
            {
                active++;
                continue;
            }

            if (_progress.TryGetValue(voter, out var pr) && pr.RecentActive)
            {
                active++;
            }

            if (pr is not null)
            {
                pr.RecentActive = false;
            }
        }

        return active >= Quorum;
    }

    private void ResetTerm(long term)
    {
        if (Term != term)
        {
            Term = term;
            Vote = 0;
        }

        Leader = 0;
        _electionElapsed = 0;
        _heartbeatElapsed = 0;
        _randomizedElectionTimeout = _options.ElectionTick + _options.Random.Next(_options.ElectionTick);
        _votes.Clear();
        _leadTransferee = 0;
        _pendingReads.Clear();
    }

    private void BecomeFollower(long term, ulong leader)
    {
        ResetTerm(term);
        Role = RaftRole.Follower;
        Leader = leader;
    }

    private void BecomePreCandidate()
    {
        if (Role == RaftRole.Leader)
        {
            throw new InvalidOperationException("A leader cannot become a pre-candidate.");
        }

        // Pre-vote keeps the term and the vote: nothing changes unless the real election can win.
        _votes.Clear();
        Leader = 0;
        Role = RaftRole.PreCandidate;
    }

    private void BecomeCandidate()
    {
        if (Role == RaftRole.Leader)
        {
            throw new InvalidOperationException("A leader cannot become a candidate.");
        }

        ResetTerm(Term + 1);
        Vote = Id;
        Role = RaftRole.Candidate;
    }

    private void BecomeLeader()
    {
        if (Role != RaftRole.Candidate)
        {
            throw new InvalidOperationException("Only a candidate can become leader.");
        }

        ResetTerm(Term);
        Role = RaftRole.Leader;
        Leader = Id;
        _progress.Clear();
        long last = _log.LastIndex;
        foreach (ulong voter in _voters)
        {
            _progress[voter] = new Progress(last + 1) { RecentActive = true };
        }

        // A new leader may not change membership before an entry of its own term commits.
        _pendingConfIndex = last;
        AppendEntries([new LogEntry(0, 0, EntryKind.Normal, ReadOnlyMemory<byte>.Empty)]);
        BroadcastAppend();
    }
}
