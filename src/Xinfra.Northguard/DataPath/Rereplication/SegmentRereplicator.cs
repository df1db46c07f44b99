using Grpc.Core;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Placement;

namespace Xinfra.Northguard.DataPath.Rereplication;

/// <summary>
/// Restores the replication factor of sealed segments that lost a replica. Every
/// <see cref="DataPathOptions.RereplicationInterval"/> (on the broker's <see cref="TimeProvider"/>) each broker lists
/// the under-replicated segments and, for each, computes the same plan: the source is the lowest live surviving
/// replica, the target the broker <see cref="ReplicaPlacer"/> picks among live brokers not holding it. Only the target
/// acts: it pulls the segment from the source over a raw consume stream, stores, seals and verifies it, then records
/// itself in place of one lost replica. A segment with no live replica is reported, never "repaired".
/// </summary>
internal sealed partial class SegmentRereplicator(DataPathEngine engine)
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;
    private int _underReplicated;
    private int _unavailable;

    public ulong BrokerId => engine.BrokerId;

    /// <summary>Whether <see cref="StopAsync"/> was called.</summary>
    public bool Stopped => _stopping.IsCancellationRequested;

    /// <summary>Under-replicated sealed segments seen by the last pass.</summary>
    public int UnderReplicated => Volatile.Read(ref _underReplicated);

    /// <summary>Of those, segments with no live replica (reported, not repairable).</summary>
    public int Unavailable => Volatile.Read(ref _unavailable);

    public void Start()
    {
        RereplicationMetrics.Observe(engine.Context.Meter, this);
        if (engine.Options.RereplicationInterval > TimeSpan.Zero)
        {
            _loop = Task.Run(() => RunAsync(_stopping.Token));
        }
    }

    public async ValueTask StopAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        _stopping.Dispose();
    }

    private async Task RunAsync(CancellationToken token)
    {
        using var timer = new PeriodicTimer(engine.Options.RereplicationInterval, engine.Time);
        while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false))
        {
            try
            {
                await RunOnceAsync(token).ConfigureAwait(false);
            }
            catch (NotSupportedException e)
            {
                RereplicationLog.Unsupported(engine.Logger, engine.BrokerId, e.Message);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A failed pass (metadata unavailable, a peer gone) must not end the loop: the next tick retries.
                RereplicationLog.PassFailed(engine.Logger, engine.BrokerId, e);
            }
        }
    }

    /// <summary>One pass over the under-replicated segments; returns how many this broker restored.</summary>
    public async Task<int> RunOnceAsync(CancellationToken token)
    {
        var brokers = engine.Directory.Brokers;
        var live = new HashSet<ulong>();
        foreach (var broker in brokers)
        {
            if (broker.IsLive)
            {
                live.Add(broker.Id);
            }
        }

        var segments = await engine.Metadata.ListUnderReplicatedSegmentsAsync(live, token).ConfigureAwait(false);
        Volatile.Write(ref _underReplicated, segments.Count);
        Volatile.Write(ref _unavailable, CountLost(segments, live));
        int restored = 0;
        foreach (var item in segments)
        {
            var plan = Plan(item.Segment, brokers, live);
            if (plan.Source == 0)
            {
                RereplicationLog.NoSurvivingReplica(engine.Logger, item.Segment.Id.ToString(), string.Join(',', item.Segment.Replicas));
                continue;
            }

            if (plan.Target != engine.BrokerId)
            {
                continue;
            }

            try
            {
                if (await CopyAsync(item, plan.Source, token).ConfigureAwait(false))
                {
                    await engine.Metadata.ReplaceReplicaAsync(item.Segment.Id, plan.Lost, engine.BrokerId, token).ConfigureAwait(false);
                    RereplicationLog.Restored(engine.Logger, item.Segment.Id.ToString(), plan.Lost, engine.BrokerId, plan.Source, item.Segment.EndOffset);
                    restored++;
                }
            }
            catch (Exception e) when (e is RpcException or XinfraException or IOException or InvalidOperationException)
            {
                RereplicationLog.CopyFailed(engine.Logger, item.Segment.Id.ToString(), plan.Source, e);
            }
        }

        return restored;
    }

    /// <summary>
    /// The plan every broker computes alike: the lowest live replica as source (0: none survives), the first lost
    /// replica, and the target chosen by <see cref="ReplicaPlacer"/> (0: no spare live broker).
    /// </summary>
    internal static (ulong Source, ulong Lost, ulong Target) Plan(SegmentInfo segment, IReadOnlyList<BrokerInfo> brokers, IReadOnlySet<ulong> live)
    {
        ulong source = 0;
        ulong lost = 0;
        foreach (ulong replica in segment.Replicas)
        {
            if (live.Contains(replica))
            {
                source = source == 0 ? replica : Math.Min(source, replica);
            }
            else if (lost == 0)
            {
                lost = replica;
            }
        }

        if (source == 0)
        {
            return (0, lost, 0);
        }

        var target = ReplicaPlacer.Choose(brokers, new Dictionary<ulong, int>(), 1, exclude: [.. segment.Replicas]);
        return (source, lost, target?[0] ?? 0);
    }

    private static int CountLost(IReadOnlyList<UnderReplicatedSegment> segments, HashSet<ulong> live)
    {
        int lost = 0;
        foreach (var item in segments)
        {
            if (!item.Segment.Replicas.Any(live.Contains))
            {
                lost++;
            }
        }

        return lost;
    }
}
