using Xinfra.Northguard.Metadata.Commands;
using Xinfra.Northguard.Metadata.Raft;
using Xinfra.Northguard.Metadata.Raft.Hosting;
using Xinfra.Northguard.Metadata.StateMachine;

namespace Xinfra.Northguard.Metadata.Service;

/// <summary>
/// This broker's replica of one vnode: applies committed commands to its <see cref="VnodeStateMachine"/> and
/// completes the proposals and reads it started. Runs on the <see cref="RaftHost"/>'s thread; its tasks complete
/// asynchronously so callers never run inside the host loop.
/// </summary>
public sealed class VnodeCoordinator : IRaftStateMachine
{
    private readonly Dictionary<long, (long Term, TaskCompletionSource<(MetadataResult, VnodeStateMachine)> Done)> _proposals = [];
    private readonly Dictionary<long, TaskCompletionSource<VnodeStateMachine>> _reads = [];
    private readonly ulong _broker;
    private long _nextRead;

    /// <summary>Creates the coordinator of <paramref name="vnode"/> on <paramref name="broker"/>.</summary>
    public VnodeCoordinator(int vnode, ulong broker)
    {
        State = new VnodeStateMachine(vnode);
        _broker = broker;
    }

    /// <summary>The applied metadata (read it only on the host's thread).</summary>
    public VnodeStateMachine State { get; }

    /// <summary>Proposals and reads started here and not yet completed.</summary>
    public int PendingCount => _proposals.Count + _reads.Count;

    /// <summary>The vnode's Raft member on this broker; set once the group is added to the host.</summary>
    public RaftNode? Node { get; set; }

    /// <summary>Proposes a command; completes with its result once applied here.</summary>
    /// <exception cref="NotLeaderException">This broker does not lead the vnode.</exception>
    public Task<(MetadataResult Result, VnodeStateMachine State)> ProposeAsync(MetadataCommand command)
    {
        var node = Node ?? throw NotLeader(0);
        var proposal = node.Propose(MetadataCommandCodec.Encode(command));
        if (!proposal.IsAccepted)
        {
            throw NotLeader(proposal.LeaderHint);
        }

        if (_proposals.Remove(proposal.Index, out var superseded))
        {
            // An earlier proposal of ours at this index (an older term) was overwritten before it was applied here.
            superseded.Done.TrySetException(NotLeader(proposal.LeaderHint, "Leadership changed; the request was not applied."));
        }

        var done = new TaskCompletionSource<(MetadataResult, VnodeStateMachine)>(TaskCreationOptions.RunContinuationsAsynchronously);
        _proposals[proposal.Index] = (proposal.Term, done);
        return done.Task;
    }

    /// <summary>Starts a linearizable read; completes once this replica has applied the read index.</summary>
    public Task<VnodeStateMachine> ReadAsync()
    {
        var node = Node ?? throw NotLeader(0);
        long context = (long)(_broker << 40) | ++_nextRead;
        if (!node.ReadIndex(context).IsAccepted)
        {
            throw NotLeader(node.Leader);
        }

        var done = new TaskCompletionSource<VnodeStateMachine>(TaskCreationOptions.RunContinuationsAsynchronously);
        _reads[context] = done;
        return done.Task;
    }

    /// <inheritdoc />
    public void Apply(in LogEntry entry)
    {
        MetadataResult? result = null;
        if (entry.Kind == EntryKind.Normal && !entry.Data.IsEmpty)
        {
            result = State.Apply(entry.Data);
        }

        if (_proposals.Remove(entry.Index, out var pending))
        {
            if (pending.Term == entry.Term && result is not null)
            {
                pending.Done.TrySetResult((result, State));
            }
            else
            {
                pending.Done.TrySetException(NotLeader(Node?.Leader ?? 0, "Leadership changed; the request was not applied."));
            }
        }
    }

    /// <inheritdoc />
    public void Restore(RaftSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        State.Restore(snapshot.Data);
        foreach (var (index, pending) in _proposals.ToList())
        {
            if (index <= snapshot.Index)
            {
                _proposals.Remove(index);
                pending.Done.TrySetException(NotLeader(Node?.Leader ?? 0, "Leadership changed; the outcome is unknown."));
            }
        }
    }

    /// <inheritdoc />
    public void OnReadReady(ReadState read)
    {
        if (_reads.Remove(read.Context, out var done))
        {
            done.TrySetResult(State);
        }
    }

    /// <inheritdoc />
    public byte[] CreateSnapshot() => State.CreateSnapshot();

    /// <inheritdoc />
    public void OnLeaderChanged(long term, ulong leader)
    {
        // A read-index request may have been dropped with the old leader: tell its caller to retry.
        foreach (var done in _reads.Values)
        {
            done.TrySetException(NotLeader(leader, "Leadership changed during the read; retry."));
        }

        _reads.Clear();
    }

    private NotLeaderException NotLeader(ulong hint, string? message = null) =>
        new(message ?? $"Broker {_broker} does not lead vnode {State.Vnode}.", State.Vnode, hint);
}
