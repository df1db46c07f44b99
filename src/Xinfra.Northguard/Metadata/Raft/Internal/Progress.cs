namespace Xinfra.Northguard.Metadata.Raft.Internal;

/// <summary>How the leader currently replicates to one follower.</summary>
internal enum ProgressState
{
    /// <summary>One append at a time until the follower's log position is found.</summary>
    Probe,

    /// <summary>Appends are streamed optimistically.</summary>
    Replicate,

    /// <summary>A snapshot is on its way: nothing more is sent until it is acknowledged or given up on.</summary>
    Snapshot,
}

/// <summary>The leader's view of one peer's log.</summary>
internal sealed class Progress(long next)
{
    public long Match { get; private set; }

    public long Next { get; private set; } = next;

    public ProgressState State { get; private set; } = ProgressState.Probe;

    /// <summary>In probe state: an append is outstanding; wait for an answer or a heartbeat response.</summary>
    public bool ProbeSent { get; set; }

    /// <summary>The peer answered since the last quorum check.</summary>
    public bool RecentActive { get; set; }

    /// <summary>In snapshot state: the index of the snapshot sent.</summary>
    public long PendingSnapshot { get; private set; }

    /// <summary>In snapshot state: ticks since the snapshot was sent.</summary>
    public int SnapshotTicks { get; set; }

    public bool IsPaused => (State == ProgressState.Probe && ProbeSent) || State == ProgressState.Snapshot;

    /// <summary>The peer acknowledged entries up to <paramref name="index"/>. True when that is news.</summary>
    public bool MaybeUpdate(long index)
    {
        bool updated = false;
        if (Match < index)
        {
            Match = index;
            updated = true;
            ProbeSent = false;
        }

        Next = Math.Max(Next, index + 1);
        return updated;
    }

    /// <summary>The peer rejected an append after <paramref name="rejected"/>. False when the rejection is stale.</summary>
    public bool MaybeDecrease(long rejected, long hint)
    {
        if (State == ProgressState.Replicate)
        {
            if (rejected <= Match)
            {
                return false;
            }

            BecomeProbe();
            return true;
        }

        if (Next - 1 != rejected)
        {
            return false;
        }

        Next = Math.Max(Math.Min(rejected, hint + 1), 1);
        ProbeSent = false;
        return true;
    }

    public void BecomeProbe()
    {
        State = ProgressState.Probe;
        Next = Match + 1;
        ProbeSent = false;
    }

    public void BecomeReplicate()
    {
        State = ProgressState.Replicate;
        Next = Match + 1;
    }

    /// <summary>Sent entries up to <paramref name="last"/> optimistically.</summary>
    public void SentTo(long last)
    {
        if (State == ProgressState.Replicate)
        {
            Next = Math.Max(Next, last + 1);
        }
        else
        {
            ProbeSent = true;
        }
    }

    /// <summary>Sent a snapshot at <paramref name="index"/>: wait for its acknowledgement.</summary>
    public void SentSnapshot(long index)
    {
        State = ProgressState.Snapshot;
        PendingSnapshot = index;
        SnapshotTicks = 0;
        Next = index + 1;
    }

    /// <summary>Used for the leader itself.</summary>
    public void SetSelf(long last)
    {
        Match = last;
        Next = last + 1;
    }
}
