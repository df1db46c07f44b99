using Xinfra.Northguard.DataPath.Core;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Storage;
using Xinfra.Simulator.Engine;

namespace Xinfra.Simulator.Cluster;

/// <summary>
/// The leader and follower IO around the engine's replication core, on the real fps-store: the leader admits and
/// appends, streams to followers, and acks what <see cref="SegmentReplicationCore{TToken}"/> says every replica
/// reported durable (after its fsync); followers append in order and report durable ends.
/// </summary>
internal sealed partial class SimBroker
{
    private static readonly long FlushInterval = SimLoop.Ms(2);
    private readonly Dictionary<SegmentId, LeaderModel> _leaders = [];
    private readonly Dictionary<long, FollowerState> _following = [];
    private readonly HashSet<long> _dirty = [];
    private readonly List<long> _touched = [];
    private FlushTick? _flushTick;
    private long _flushGridStart;
    private bool _flushQueued;

    private void OnProduce(int from, long callId, ProduceRequest request)
    {
        var store = Store!;
        var segment = request.Segment;
        if (!_leaders.TryGetValue(segment.Id, out var leader))
        {
            if (segment.Replicas[0] != Self || store.GetSegment(segment.StoreId) is not null)
            {
                // Not the leader, or the leader restarted or was fenced (its copy sealed by an orphan seal whose
                // metadata write may have failed): the engine's OpenProduceAsync seals such a segment as an orphan
                // (SealOrphanAsync) on every open until the seal commits. The producer asks for it on this answer.
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

            leader = new LeaderModel(segment, new SegmentReplicationCore<ProduceCall>(segment.BaseOffset, segment.Replicas, Self, Limits, Now));
            _leaders[segment.Id] = leader;
            _world.Trace.Write($"broker {Id} leads {segment}");
            int life = Incarnation;
            _world.Loop.Spawn($"broker {Id} monitor {segment.Id}", () => MonitorAsync(leader, life));
        }

        var call = new ProduceCall(from, callId);
        ulong producer = (ulong)request.Producer;
        if (request.Resend && segment.Id.Sequence > 0 && !leader.Core.HasProducer(producer))
        {
            _ = ResumeProducerAsync(from, callId, request, leader);
            return;
        }

        var admission = leader.Core.Admit(call, producer, request.Sequence, Now);
        switch (admission.Kind)
        {
            case AdmissionKind.Sealed:
                // Sealing: answered once the seal commits in metadata (the engine's session hears OnSealed then).
                leader.WaitingForSeal.Add(call);
                return;
            case AdmissionKind.Gap:
                _rpc.Reply(from, callId, new ProduceResponse(ProduceStatus.Failed, 0, 0));
                return;
            case AdmissionKind.DuplicateCommitted:
                long last = leader.StoredResends.TryGetValue((producer, request.Sequence), out var stored)
                    ? stored.BaseOffset + stored.Count - 1
                    : admission.End - 1;
                _rpc.Reply(from, callId, new ProduceResponse(ProduceStatus.Ok, admission.BaseOffset, last));
                return;
            case AdmissionKind.DuplicatePending:
                return; // Answered with the original when it commits.
        }

        var records = WithSequenceHeader(request.Records, producer, request.Sequence);
        AppendResult appended;
        try
        {
            appended = store.Append(segment.StoreId, records);
        }
        catch (SegmentNotFoundException)
        {
            // Retention deleted the segment (sealed by an orphan seal while this leader was cut off) and this broker
            // reclaimed its copy: a stale leader model, answered as sealed (the producer moves to the next segment).
            _leaders.Remove(segment.Id);
            _rpc.Reply(from, callId, new ProduceResponse(ProduceStatus.Sealed, 0, 0));
            return;
        }
        catch (SegmentSealedException)
        {
            _ = SealAsync(leader, "local copy sealed");
            leader.WaitingForSeal.Add(call);
            return;
        }
        catch (Exception e) when (e is StorageFailedException or IOException)
        {
            FailStop(e);
            return;
        }

        long end = appended.LastOffset + 1;
        var full = leader.Core.OnAppended(call, producer, request.Sequence, appended.BaseOffset, end, request.Records.Length, Now);
        MarkDirty(segment.StoreId);
        foreach (ulong replica in segment.Replicas)
        {
            if (replica != Self)
            {
                _world.Network.Send(Id, (int)replica, new Replicate(segment, appended.BaseOffset, records));
            }
        }

        if (full is { } seal)
        {
            _ = SealAsync(leader, seal.ToString());
        }
    }

    /// <summary>The engine's limits, with the segment size counted in records.</summary>
    private ReplicationLimits Limits => new(
        _world.Options.SegmentMaxRecords,
        TimeSpan.FromTicks(_world.Options.SegmentMaxAgeTicks),
        TimeSpan.FromTicks(_world.Options.ReplicaTimeoutTicks),
        IdempotenceWindow: 4);

    /// <summary>Simulated now, for the core.</summary>
    private TimeSpan Now => TimeSpan.FromTicks(_world.Loop.Now);

    private void OnDurable(LeaderModel leader, ulong replica, long end)
    {
        if (_world.Options.Bugs.AckBeforeFollowerFsync && replica == Self)
        {
            // The injected bug: the leader counts its own fsync as every follower's.
            foreach (ulong follower in leader.Segment.Replicas)
            {
                if (follower != Self)
                {
                    Commit(leader, follower, Math.Min(end, leader.Core.SentEnd(follower)));
                }
            }
        }

        Commit(leader, replica, end);
    }

    /// <summary>Feeds a durable report to the core and answers the producers whose appends it committed.</summary>
    private void Commit(LeaderModel leader, ulong replica, long end)
    {
        var outcome = leader.Core.OnDurable(replica, end);
        if (outcome.Verdict == DurableVerdict.Lied)
        {
            _ = SealAsync(leader, new SealDecision(SealCause.ReplicaLied, replica).ToString());
            return;
        }

        foreach (var append in outcome.Committed)
        {
            _rpc.Reply(append.Token.From, append.Token.CallId, new ProduceResponse(ProduceStatus.Ok, append.BaseOffset, append.End - 1));
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
            MarkDirty(storeId);
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

    /// <summary>
    /// Starts the group commit of a new incarnation: a flush every <see cref="FlushInterval"/> from now on, on a fixed
    /// grid, but only at the grid points where something was appended since the last flush (an idle broker queues no
    /// flush events at all).
    /// </summary>
    private void StartFlusher(int life)
    {
        _dirty.Clear();
        _flushQueued = false;
        _flushGridStart = _world.Loop.Now;
        _flushTick = new FlushTick(this, life);
    }

    /// <summary>Something was appended to the segment: the next flush of the grid makes it durable.</summary>
    private void MarkDirty(long storeId)
    {
        _dirty.Add(storeId);
        if (_flushQueued || _flushTick is null)
        {
            return;
        }

        _flushQueued = true;
        long now = _world.Loop.Now;
        long next = _flushGridStart + ((now - _flushGridStart) / FlushInterval + 1) * FlushInterval;
        _world.Loop.At(next, FlushCallback, _flushTick);
    }

    private static readonly SendOrPostCallback FlushCallback = static s =>
    {
        var tick = (FlushTick)s!;
        tick.Broker.Flush(tick.Life);
    };

    /// <summary>The state of an incarnation's flush events (one object per incarnation).</summary>
    private sealed record FlushTick(SimBroker Broker, int Life);

    /// <summary>The broker's group commit, stepped by the simulation: flush, then report what became durable.</summary>
    private void Flush(int life)
    {
        if (life != Incarnation)
        {
            return; // A flush queued by an incarnation that crashed.
        }

        _flushQueued = false;
        if (_dirty.Count == 0)
        {
            return;
        }

        var touched = _touched;
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
                    if (leader.Core.HasPending && info.NextOffset < leader.Core.AppendedEnd && !info.IsSealed)
                    {
                        FailStop(new StorageFailedException("The WAL write or fsync failed: appended records did not become durable.", null));
                        return;
                    }

                    OnDurable(leader, Self, info.NextOffset);
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
