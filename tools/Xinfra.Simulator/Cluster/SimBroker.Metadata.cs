using Xinfra.Northguard.Metadata.Commands;
using Xinfra.Northguard.Metadata.Raft;
using Xinfra.Northguard.Metadata.StateMachine;
using Xinfra.Simulator.Engine;

namespace Xinfra.Simulator.Cluster;

/// <summary>
/// The broker's metadata replicas: one real <see cref="RaftNode"/> and real <see cref="VnodeStateMachine"/> per
/// vnode, hosted the way RaftHost does it (persist, send, apply, advance), with proposals and read-index reads
/// served to metadata clients. Raft storage is persisted before messages are sent, so it survives every crash.
/// </summary>
internal sealed partial class SimBroker
{
    private const int CompactEvery = 256;
    private const int ElectionTicks = 10;
    private static readonly long TickInterval = SimLoop.Ms(100);
    private readonly Dictionary<int, VnodeReplica> _vnodes = [];
    private long _nextRead;

    /// <summary>This broker's applied state of a vnode (for end-of-run checks), or null when down.</summary>
    public VnodeStateMachine? StateOf(int vnode) => _vnodes.TryGetValue(vnode, out var r) ? r.State : null;

    public RaftNode? RaftOf(int vnode) => _vnodes.TryGetValue(vnode, out var r) ? r.Node : null;

    private void StartMetadata()
    {
        _vnodes.Clear();
        foreach (var (vnode, storage) in _raftStorage)
        {
            var state = new VnodeStateMachine(vnode);
            if (!storage.Snapshot.Data.IsEmpty)
            {
                state.Restore(storage.Snapshot.Data);
            }

            var node = new RaftNode(
                new RaftOptions
                {
                    Id = Self,
                    ElectionTick = ElectionTicks,
                    HeartbeatTick = 3,
                    Applied = storage.Snapshot.Index,
                    Random = _world.Derive(((long)Id << 40) + ((long)vnode << 24) + Incarnation),
                },
                storage);
            _vnodes[vnode] = new VnodeReplica(vnode, node, state, storage);
        }

        foreach (var vnode in _vnodes.Keys)
        {
            ProcessReady(vnode);
        }
    }

    private async Task TickLoopAsync(int life)
    {
        // Brokers tick out of phase, as real processes would.
        await _world.Loop.Delay(_random.NextInt64(TickInterval));
        while (life == Incarnation)
        {
            foreach (var (vnode, replica) in _vnodes)
            {
                replica.Node.Tick();
                ProcessReady(vnode);
            }

            await _world.Loop.Delay(TickInterval);
        }
    }

    private void StepRaft(RaftEnvelope envelope)
    {
        if (_vnodes.TryGetValue(envelope.Vnode, out var replica))
        {
            replica.Node.Step(envelope.Message);
            ProcessReady(envelope.Vnode);
        }
    }

    private void ProcessReady(int vnode)
    {
        var replica = _vnodes[vnode];
        var node = replica.Node;
        while (IsUpOrStarting(replica) && node.HasReady)
        {
            var ready = node.GetReady();
            if (ready.Snapshot is { } snapshot)
            {
                replica.Storage.ApplySnapshot(snapshot);
            }

            replica.Storage.Append(ready.Entries);
            if (ready.HardState is { } hs)
            {
                replica.Storage.SetHardState(hs);
            }

            foreach (var message in ready.Messages)
            {
                _world.Network.Send(Id, (int)message.To, new RaftEnvelope(vnode, message));
            }

            Apply(replica, ready);
            node.Advance();
            if (node.Role == RaftRole.Leader)
            {
                _world.Checker.ObserveLeader(vnode, node.Term, Self);
            }

            if (node.Leader != replica.Leader || node.Term != replica.Term)
            {
                replica.Leader = node.Leader;
                replica.Term = node.Term;
                _world.Trace.Write($"broker {Id} vnode {vnode}: term {node.Term} leader {node.Leader}");
                foreach (var read in replica.Reads.Values)
                {
                    read.TrySetResult(null);
                }

                replica.Reads.Clear();
                replica.WaitingReads.Clear();
            }

            if (node.Applied - replica.Storage.Snapshot.Index >= CompactEvery)
            {
                replica.Storage.Compact(node.Applied, node.Voters, replica.State.CreateSnapshot());
            }
        }
    }

    private bool IsUpOrStarting(VnodeReplica replica) => _vnodes.TryGetValue(replica.Vnode, out var current) && current == replica;

    private void Apply(VnodeReplica replica, Ready ready)
    {
        if (ready.Snapshot is { } snapshot)
        {
            replica.State.Restore(snapshot.Data);
        }

        foreach (var entry in ready.CommittedEntries)
        {
            MetadataResult? result = null;
            if (entry.Kind == EntryKind.Normal && !entry.Data.IsEmpty)
            {
                result = replica.State.Apply(entry.Data);
            }

            _world.Checker.ObserveApply(replica.Vnode, Id, entry.Index, entry.Term, Fingerprint(entry.Data.Span));
            if (replica.Proposals.Remove(entry.Index, out var pending))
            {
                pending.Done.TrySetResult(pending.Term == entry.Term ? result : null);
            }
        }

        replica.WaitingReads.AddRange(ready.ReadStates);
        long applied = ready.CommittedEntries.Count > 0 ? ready.CommittedEntries[^1].Index : ready.Snapshot?.Index ?? replica.Node.Applied;
        for (int i = 0; i < replica.WaitingReads.Count; i++)
        {
            var read = replica.WaitingReads[i];
            if (read.Index <= applied && replica.Reads.Remove(read.Context, out var done))
            {
                done.TrySetResult(replica.State);
                replica.WaitingReads.RemoveAt(i--);
            }
        }
    }

    private static int Fingerprint(ReadOnlySpan<byte> data)
    {
        return data.Length ^ (int)System.IO.Hashing.XxHash32.HashToUInt32(data);
    }

    private async Task ServeWriteAsync(int from, long callId, MetaWrite write)
    {
        if (!_vnodes.TryGetValue(write.Vnode, out var replica))
        {
            return;
        }

        var proposal = replica.Node.Propose(MetadataCommandCodec.Encode(write.Command));
        if (!proposal.IsAccepted)
        {
            _rpc.Reply(from, callId, new NotLeader(proposal.LeaderHint));
            return;
        }

        var done = new TaskCompletionSource<MetadataResult?>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (replica.Proposals.Remove(proposal.Index, out var superseded))
        {
            superseded.Done.TrySetResult(null);
        }

        replica.Proposals[proposal.Index] = (proposal.Term, done);
        ProcessReady(write.Vnode);
        int life = Incarnation;
        var result = await done.Task;
        if (life == Incarnation)
        {
            _rpc.Reply(from, callId, result is null ? new NotLeader(0) : new MetaWriteResult(result));
        }
    }

    private async Task ServeReadAsync(int from, long callId, MetaRead read)
    {
        if (!_vnodes.TryGetValue(read.Vnode, out var replica))
        {
            return;
        }

        if (replica.Node.Role != RaftRole.Leader)
        {
            _rpc.Reply(from, callId, new NotLeader(replica.Node.Leader));
            return;
        }

        long context = ((long)Id << 40) | ++_nextRead;
        if (!replica.Node.ReadIndex(context).IsAccepted)
        {
            _rpc.Reply(from, callId, new NotLeader(replica.Node.Leader));
            return;
        }

        var done = new TaskCompletionSource<VnodeStateMachine?>(TaskCreationOptions.RunContinuationsAsynchronously);
        replica.Reads[context] = done;
        ProcessReady(read.Vnode);
        int life = Incarnation;
        var state = await done.Task;
        if (life != Incarnation)
        {
            return;
        }

        if (state is null)
        {
            _rpc.Reply(from, callId, new NotLeader(0));
            return;
        }

        // Answer from the state as of now (this continuation runs as its own event, possibly after more applies:
        // still linearizable, the read happens within its call and return).
        var topic = read.Topic is null ? null : state.Describe(read.Topic);
        var document = read.Document is not null && state.TryGetDocument(read.Document, out var d) ? d : null;
        _rpc.Reply(from, callId, new MetaReadResult(topic, document));
    }

    private sealed class VnodeReplica(int vnode, RaftNode node, VnodeStateMachine state, MemoryRaftStorage storage)
    {
        public int Vnode => vnode;

        public RaftNode Node => node;

        public VnodeStateMachine State => state;

        public MemoryRaftStorage Storage => storage;

        public ulong Leader { get; set; }

        public long Term { get; set; }

        public Dictionary<long, (long Term, TaskCompletionSource<MetadataResult?> Done)> Proposals { get; } = [];

        public Dictionary<long, TaskCompletionSource<VnodeStateMachine?>> Reads { get; } = [];

        public List<ReadState> WaitingReads { get; } = [];
    }
}
