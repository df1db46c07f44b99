namespace Xinfra.Northguard.Metadata.Raft;

/// <summary>Linearizable reads without writing to the log (Raft §6.4, read index).</summary>
public sealed partial class RaftNode
{
    private readonly List<PendingRead> _pendingReads = [];

    private sealed class PendingRead(ulong from, long context, long index)
    {
        public ulong From { get; } = from;

        public long Context { get; } = context;

        public long Index { get; } = index;

        public HashSet<ulong> Acks { get; } = [];
    }

    /// <summary>
    /// Asks for a read index. When confirmed, a <see cref="ReadState"/> with <paramref name="context"/> appears in a
    /// later <see cref="Ready"/>; serve the read once the state machine has applied its index. A follower forwards
    /// to the leader. Refused (no read state ever appears) when no leader is known, or when the leader has not yet
    /// committed an entry of its term; the caller retries.
    /// </summary>
    /// <param name="context">A request id unique among this group's outstanding reads, not 0.</param>
    public ProposeResult ReadIndex(long context)
    {
        EnsureNoOutstandingReady();
        if (context == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(context), "The read context must not be 0.");
        }

        if (Role == RaftRole.Leader)
        {
            return HandleReadIndexRequest(Id, context)
                ? new ProposeResult(ProposeStatus.Accepted, 0, Term, Id)
                : new ProposeResult(ProposeStatus.NotLeader, 0, Term, Id);
        }

        if (Leader == 0)
        {
            return new ProposeResult(ProposeStatus.NotLeader, 0, Term, 0);
        }

        Send(new RaftMessage { Type = MessageType.ReadIndex, To = Leader, Term = Term, Context = context });
        return new ProposeResult(ProposeStatus.Accepted, 0, Term, Leader);
    }

    private bool HandleReadIndexRequest(ulong from, long context)
    {
        // Until an entry of its term commits, the leader's commit index may lag what earlier leaders committed.
        if (!_log.MatchTerm(_log.Committed, Term))
        {
            return false;
        }

        var read = new PendingRead(from, context, _log.Committed);
        read.Acks.Add(Id);
        if (read.Acks.Count >= Quorum)
        {
            Release(read);
            return true;
        }

        _pendingReads.Add(read);
        BroadcastHeartbeat(context);
        return true;
    }

    private void AcknowledgeRead(ulong from, long context)
    {
        int found = -1;
        for (int i = 0; i < _pendingReads.Count; i++)
        {
            if (_pendingReads[i].Context == context)
            {
                found = i;
                break;
            }
        }

        if (found < 0 || !_voters.Contains(from))
        {
            return;
        }

        var read = _pendingReads[found];
        read.Acks.Add(from);
        if (read.Acks.Count < Quorum)
        {
            return;
        }

        // A quorum confirmed leadership after every earlier read was received: release them all.
        for (int i = 0; i <= found; i++)
        {
            Release(_pendingReads[i]);
        }

        _pendingReads.RemoveRange(0, found + 1);
    }

    private void Release(PendingRead read)
    {
        if (read.From == Id)
        {
            _readStates.Add(new ReadState(read.Index, read.Context));
        }
        else
        {
            Send(new RaftMessage
            {
                Type = MessageType.ReadIndexResponse, To = read.From, Term = Term, Index = read.Index, Context = read.Context,
            });
        }
    }
}
