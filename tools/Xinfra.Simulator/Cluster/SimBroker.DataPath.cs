using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Storage;
using Xinfra.Simulator.Engine;

namespace Xinfra.Simulator.Cluster;

/// <summary>
/// The replication core on the real fps-store: the leader appends, streams to followers, acks once every replica
/// reported the records durable (after its fsync), and seals on replica failure, timeout, size or age.
/// </summary>
internal sealed partial class SimBroker
{
    private static readonly long FlushInterval = SimLoop.Ms(2);
    private readonly Dictionary<SegmentId, LeaderModel> _leaders = [];
    private readonly Dictionary<long, FollowerState> _following = [];
    private readonly HashSet<long> _dirty = [];

    private void OnProduce(int from, long callId, ProduceRequest request)
    {
        var store = Store!;
        var segment = request.Segment;
        if (!_leaders.TryGetValue(segment.Id, out var leader))
        {
            if (store.GetSegment(segment.StoreId) is { IsSealed: true })
            {
                _rpc.Reply(from, callId, new ProduceResponse(ProduceStatus.Sealed, 0, 0));
                return;
            }

            if (segment.Replicas[0] != Self || store.GetSegment(segment.StoreId) is not null)
            {
                // Not the leader, or the leader restarted: the segment's in-memory state is gone.
                _rpc.Reply(from, callId, new ProduceResponse(ProduceStatus.Orphan, 0, 0));
                return;
            }

            try
            {
                store.CreateSegment(segment.StoreId, segment.Topic, segment.BaseOffset);
            }
            catch (Exception e) when (e is StorageFailedException or IOException)
            {
                FailStop(e);
                return;
            }
            catch (InvalidOperationException)
            {
                // The copy existed and was reclaimed (retention deleted the sealed segment): a stale request.
                _rpc.Reply(from, callId, new ProduceResponse(ProduceStatus.Sealed, 0, 0));
                return;
            }

            leader = new LeaderModel(segment, _world.Loop.Now);
            _leaders[segment.Id] = leader;
            _world.Trace.Write($"broker {Id} leads {segment}");
            int life = Incarnation;
            _world.Loop.Spawn($"broker {Id} monitor {segment.Id}", () => MonitorAsync(leader, life));
        }

        if (leader.Sealing)
        {
            _rpc.Reply(from, callId, new ProduceResponse(ProduceStatus.Sealed, 0, 0));
            return;
        }

        if (leader.LastAppend.TryGetValue(request.Producer, out var last) && request.Sequence <= last.Sequence)
        {
            if (request.Sequence == last.Sequence)
            {
                // A retry of the last append: ack now if committed, else wait with the original.
                if (last.Last < leader.Committed)
                {
                    _rpc.Reply(from, callId, new ProduceResponse(ProduceStatus.Ok, last.Base, last.Last));
                }
                else
                {
                    AddWaiter(leader, request.Producer, request.Sequence, from, callId);
                }
            }

            return;
        }

        AppendResult appended;
        try
        {
            appended = store.Append(segment.StoreId, request.Records);
        }
        catch (SegmentSealedException)
        {
            _ = SealAsync(leader, "local copy sealed");
            _rpc.Reply(from, callId, new ProduceResponse(ProduceStatus.Sealed, 0, 0));
            return;
        }
        catch (Exception e) when (e is StorageFailedException or IOException)
        {
            FailStop(e);
            return;
        }

        long end = appended.LastOffset + 1;
        leader.LastAppend[request.Producer] = (request.Sequence, appended.BaseOffset, appended.LastOffset);
        leader.Pending.Enqueue(new PendingAppend(request.Producer, request.Sequence, appended.BaseOffset, end, _world.Loop.Now));
        leader.Records += request.Records.Length;
        AddWaiter(leader, request.Producer, request.Sequence, from, callId);
        _dirty.Add(segment.StoreId);
        foreach (ulong replica in segment.Replicas)
        {
            if (replica != Self)
            {
                leader.SentEnd[replica] = end;
                _world.Network.Send(Id, (int)replica, new Replicate(segment, appended.BaseOffset, request.Records));
            }
        }
    }

    private static void AddWaiter(LeaderModel leader, int producer, long sequence, int from, long callId)
    {
        if (!leader.Waiters.TryGetValue((producer, sequence), out var list))
        {
            leader.Waiters[(producer, sequence)] = list = [];
        }

        list.Add((from, callId));
    }

    private void OnDurable(LeaderModel leader, ulong replica, long end)
    {
        if (leader.Sealing || end <= leader.Durable[replica])
        {
            return;
        }

        if (replica != Self && end > leader.SentEnd[replica])
        {
            _ = SealAsync(leader, $"replica {replica} reported {end} durable beyond what it was sent");
            return;
        }

        leader.Durable[replica] = end;
        long committed = _world.Options.Bugs.AckBeforeFollowerFsync ? leader.Durable[Self] : leader.Durable.Values.Min();
        if (committed <= leader.Committed)
        {
            return;
        }

        leader.Committed = committed;
        while (leader.Pending.TryPeek(out var head) && head.End <= committed)
        {
            leader.Pending.Dequeue();
            if (leader.Waiters.Remove((head.Producer, head.Sequence), out var waiters))
            {
                foreach (var (from, callId) in waiters)
                {
                    _rpc.Reply(from, callId, new ProduceResponse(ProduceStatus.Ok, head.Base, head.End - 1));
                }
            }
        }
    }

    private void OnReplicate(Replicate message)
    {
        var store = Store!;
        var segment = message.Segment;
        long storeId = segment.StoreId;
        try
        {
            var info = store.GetSegment(storeId);
            if (info is null)
            {
                if (message.First != segment.BaseOffset)
                {
                    Refuse(segment, $"first append at {message.First} of a segment based at {segment.BaseOffset}");
                    return;
                }

                store.CreateSegment(storeId, segment.Topic, segment.BaseOffset);
                info = store.GetSegment(storeId)!;
            }

            if (!_following.TryGetValue(storeId, out var state))
            {
                state = new FollowerState(segment) { Assigned = info.NextOffset, Reported = info.NextOffset };
                _following[storeId] = state;
            }

            if (info.IsSealed)
            {
                Refuse(segment, "sealed here");
                return;
            }

            if (message.First + message.Records.Length <= state.Assigned)
            {
                return; // A duplicate of what this replica has.
            }

            if (message.First != state.Assigned)
            {
                Refuse(segment, $"gap: expected {state.Assigned}, got {message.First}");
                return;
            }

            var appended = store.Append(storeId, message.Records);
            state.Assigned = appended.LastOffset + 1;
            _dirty.Add(storeId);
        }
        catch (SegmentSealedException)
        {
            Refuse(segment, "sealed here");
        }
        catch (InvalidOperationException e)
        {
            Refuse(segment, e.Message);
        }
        catch (Exception e) when (e is StorageFailedException or IOException)
        {
            FailStop(e);
        }
    }

    private void Refuse(SegmentRef segment, string why) =>
        _world.Network.Send(Id, (int)segment.Replicas[0], new ReplicaRefused(segment.Id, why));

    /// <summary>The broker's group commit, stepped by the simulation: flush, then report what became durable.</summary>
    private async Task FlushLoopAsync(int life)
    {
        var touched = new List<long>();
        while (life == Incarnation)
        {
            await _world.Loop.Delay(FlushInterval);
            if (life != Incarnation || _dirty.Count == 0)
            {
                continue;
            }

            var store = Store!;
            touched.Clear();
            touched.AddRange(_dirty);
            _dirty.Clear();
            try
            {
                store.FlushNow();
            }
            catch (Exception e) when (e is StorageFailedException or IOException)
            {
                FailStop(e);
                return;
            }

            foreach (long storeId in touched)
            {
                var info = store.GetSegment(storeId);
                if (info is null)
                {
                    continue;
                }

                if (_following.TryGetValue(storeId, out var follower))
                {
                    if (info.NextOffset < follower.Assigned)
                    {
                        FailStop(new StorageFailedException("The WAL write or fsync failed: appended records did not become durable.", null));
                        return;
                    }

                    if (info.NextOffset > follower.Reported)
                    {
                        follower.Reported = info.NextOffset;
                        _world.Network.Send(Id, (int)follower.Segment.Replicas[0], new DurableReport(follower.Segment.Id, info.NextOffset));
                    }
                }

                foreach (var leader in _leaders.Values)
                {
                    if (leader.Segment.StoreId == storeId)
                    {
                        if (leader.Pending.Count > 0 && info.NextOffset < leader.Pending.Last().End && !info.IsSealed)
                        {
                            FailStop(new StorageFailedException("The WAL write or fsync failed: appended records did not become durable.", null));
                            return;
                        }

                        OnDurable(leader, Self, info.NextOffset);
                    }
                }
            }
        }
    }

    private sealed class FollowerState(SegmentRef segment)
    {
        public SegmentRef Segment => segment;

        public long Assigned { get; set; }

        public long Reported { get; set; }
    }
}
