using Xinfra.Northguard.DataPath.Core;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Storage;
using Xinfra.Simulator.Engine;

namespace Xinfra.Simulator.Cluster;

/// <summary>Sealing: by the leader (failure, timeout, size, age, on request) and of orphans whose leader is gone.</summary>
internal sealed partial class SimBroker
{
    private readonly HashSet<SegmentId> _orphanSeals = [];

    private async Task MonitorAsync(LeaderModel leader, int life)
    {
        long interval = Math.Max(SimLoop.Ms(10), _world.Options.ReplicaTimeoutTicks / 4);
        while (life == Incarnation && !leader.Core.IsSealing)
        {
            await _world.Loop.Delay(interval);
            if (life != Incarnation || leader.Core.IsSealing)
            {
                return;
            }

            var decision = leader.Core.Tick(Now);
            if (decision is { Cause: SealCause.ReplicaTimedOut } timedOut)
            {
                Suspect(timedOut.Replica);
            }

            string? reason = decision?.ToString();
            if (reason is not null)
            {
                await SealAsync(leader, reason);
            }
        }
    }

    /// <summary>
    /// Seals at the committed offset, as <c>SegmentLeader.SealAsync</c> does: records the seal in metadata, retrying
    /// until it commits (or metadata shows it sealed by an orphan seal), and only then answers the waiting producers,
    /// stops the followers and seals this copy. Every caller gets the same task.
    /// </summary>
    private Task SealAsync(LeaderModel leader, string reason)
    {
        if (leader.Sealing is { } running)
        {
            return running;
        }

        var start = leader.Core.Seal();
        if (!start.Started)
        {
            return Task.CompletedTask;
        }

        foreach (var waiting in start.Unacknowledged)
        {
            leader.WaitingForSeal.Add(waiting.Token);
        }

        leader.Sealing = SealCoreAsync(leader, start.End, reason);
        return leader.Sealing;
    }

    private async Task SealCoreAsync(LeaderModel leader, long end, string reason)
    {
        int life = Incarnation;
        _world.Trace.Write($"broker {Id} seals {leader.Segment} at {end}: {reason}");
        end = await SealInMetadataAsync(leader.Segment, end, life);
        if (life != Incarnation)
        {
            return;
        }

        _world.Trace.Write($"broker {Id} sealed {leader.Segment} at {end} in metadata");
        _leaders.Remove(leader.Segment.Id);
        foreach (var waiting in leader.WaitingForSeal)
        {
            _rpc.Reply(waiting.From, waiting.CallId, new ProduceResponse(ProduceStatus.Sealed, 0, 0));
        }

        leader.WaitingForSeal.Clear();
        foreach (ulong replica in leader.Segment.Replicas)
        {
            if (replica != Self)
            {
                _world.Network.Send(Id, (int)replica, new SealNotice(leader.Segment));
            }
        }

        SealLocal(leader.Segment);
    }

    /// <summary>
    /// <c>SegmentLeader.SealInMetadataAsync</c>: records the seal at <paramref name="end"/>, retrying with backoff while
    /// metadata is unavailable; returns the end the metadata holds (another broker's when it sealed the segment first).
    /// Gives up only when the broker stops.
    /// </summary>
    private async Task<long> SealInMetadataAsync(SegmentRef segment, long end, int life)
    {
        for (int attempt = 0; life == Incarnation; attempt++)
        {
            var result = await _meta.WriteAsync(SealCommand(segment.Id, end));
            if (life != Incarnation || result is { IsOk: true })
            {
                return end;
            }

            var (answered, description) = await _meta.DescribeAsync(segment.Topic);
            if (life != Incarnation)
            {
                return end;
            }

            if (answered)
            {
                if (description is null)
                {
                    return end; // The topic was deleted: nothing to seal.
                }

                var info = description.Segments.FirstOrDefault(s => s.Id == segment.Id);
                if (info is null || info.State != SegmentState.Open)
                {
                    return info?.EndOffset ?? end;
                }
            }

            await _world.Loop.Delay(SimLoop.Ms(Math.Min(1000, 50 << Math.Min(attempt, 5))));
        }

        return end;
    }

    /// <summary>Seals this broker's copy (everything appended becomes durable first). False when storage failed.</summary>
    private bool SealLocal(SegmentRef segment)
    {
        var store = Store!;
        try
        {
            store.FlushNow();
            var info = store.GetSegment(segment.StoreId);
            if (info is null || info.IsSealed)
            {
                return true;
            }

            var sealing = store.SealSegmentAsync(segment.StoreId);
            if (!sealing.IsCompleted)
            {
                _world.Checker.Fail($"broker {Id}: sealing {segment} did not complete synchronously after FlushNow");
                return false;
            }

            sealing.GetAwaiter().GetResult();
            _following.Remove(segment.StoreId);
            return true;
        }
        catch (Exception e) when (e is StorageFailedException or IOException)
        {
            FailStop(e);
            return false;
        }
        catch (Exception e) when (e is SegmentNotFoundException or CorruptDataException)
        {
            _world.Trace.Write($"broker {Id} cannot seal {segment}: {e.GetType().Name}");
            return true;
        }
    }

    /// <summary>
    /// Fences this broker's copy of an orphaned segment and returns its durable end: sealing the copy durably means a
    /// leader that is still alive somewhere can never again count this replica's fsync for an ack.
    /// </summary>
    private long? Fence(SegmentRef segment)
    {
        var store = Store!;
        try
        {
            if (store.GetSegment(segment.StoreId) is null)
            {
                if (_world.Options.Bugs.OrphanSealWithoutFencing)
                {
                    return segment.BaseOffset;
                }

                store.CreateSegment(segment.StoreId, segment.Topic, segment.BaseOffset);
            }

            if (_world.Options.Bugs.OrphanSealWithoutFencing)
            {
                store.FlushNow();
                return store.GetSegment(segment.StoreId)!.NextOffset;
            }

            if (!SealLocal(segment))
            {
                return null;
            }

            return store.GetSegment(segment.StoreId)?.NextOffset;
        }
        catch (Exception e) when (e is StorageFailedException or IOException)
        {
            FailStop(e);
            return null;
        }
        catch (InvalidOperationException)
        {
            return segment.BaseOffset; // Existed and was deleted: nothing here.
        }
    }

    private async Task ServeSealOrphanAsync(int from, long callId, SealOrphanRequest request)
    {
        var segment = request.Segment;
        if (_leaders.TryGetValue(segment.Id, out var leader))
        {
            await SealAsync(leader, $"asked by {from}");
            _rpc.Reply(from, callId, new Done(true, "sealed by its leader"));
            return;
        }

        if (!_orphanSeals.Add(segment.Id))
        {
            _rpc.Reply(from, callId, new Done(false, "already sealing"));
            return;
        }

        int life = Incarnation;
        try
        {
            // As OpenProduceAsync: only a segment metadata still shows open is sealed as an orphan (a stale request
            // about a sealed one is answered without fencing).
            var (answered, description) = await _meta.DescribeAsync(segment.Topic);
            if (life != Incarnation)
            {
                return;
            }

            if (!answered)
            {
                _rpc.Reply(from, callId, new Done(false, "metadata unavailable"));
                return;
            }

            var info = description?.Segments.FirstOrDefault(s => s.Id == segment.Id);
            if (info is null || info.State != SegmentState.Open)
            {
                _rpc.Reply(from, callId, new Done(true, "not open"));
                return;
            }

            var seal = new OrphanSeal(segment.Replicas, Self);
            foreach (ulong replica in seal.ReplicasToFence())
            {
                long? replicaEnd = replica == Self
                    ? Fence(segment)
                    : (await _rpc.CallAsync((int)replica, new FenceRequest(segment), SimLoop.Ms(300)) as FenceResponse)?.End;
                if (life != Incarnation)
                {
                    return;
                }

                seal.OnFenced(replicaEnd);
            }

            if (seal.End is not { } end)
            {
                _rpc.Reply(from, callId, new Done(false, "no replica reachable"));
                return;
            }

            var result = await _meta.WriteAsync(SealCommand(segment.Id, end));
            if (life == Incarnation)
            {
                _world.Trace.Write($"broker {Id} sealed orphan {segment} at {end}: {result?.Status}");
                _rpc.Reply(from, callId, new Done(result is not null, result?.Message));
            }
        }
        finally
        {
            if (life == Incarnation)
            {
                _orphanSeals.Remove(segment.Id);
            }
        }
    }

    private async Task ServeSealNowAsync(int from, long callId, SealNowRequest request)
    {
        if (!_leaders.TryGetValue(request.Segment.Id, out var leader))
        {
            _rpc.Reply(from, callId, new Done(false, "not leading it"));
            return;
        }

        await SealAsync(leader, $"asked by {from}");
        _rpc.Reply(from, callId, new Done(true, null));
    }
}
