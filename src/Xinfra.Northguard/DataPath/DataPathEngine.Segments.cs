using System.Collections.Concurrent;
using Grpc.Core;
using Xinfra.Northguard.DataPath.Core;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Ring;
using Xinfra.Northguard.Metadata.Service;
using Xinfra.Northguard.Metadata.StateMachine;
using Xinfra.Northguard.Protocol;

namespace Xinfra.Northguard.DataPath;

/// <summary>Finding, opening and sealing the open segment of a range for a produce handshake.</summary>
internal sealed partial class DataPathEngine
{
    private readonly ConcurrentDictionary<RangeId, SemaphoreSlim> _rangeLocks = new();
    private readonly ConcurrentDictionary<ulong, long> _suspects = new();

    /// <summary>
    /// A replica stream to <paramref name="brokerId"/> just failed: for one <see cref="DataPathOptions.ReplicaTimeout"/>
    /// this broker places no new segment on it, though liveness (gossip) may still call it live. Without this, each
    /// new segment would be opened on the dead broker and sealed at once, until liveness caught up.
    /// </summary>
    public void Suspect(ulong brokerId) => _suspects[brokerId] = Time.GetTimestamp();

    /// <summary>The brokers placement may use: live and not suspected by this broker.</summary>
    private IReadOnlyList<Metadata.Placement.BrokerInfo> PlaceableBrokers()
    {
        var brokers = Directory.Brokers;
        if (_suspects.IsEmpty)
        {
            return brokers;
        }

        var result = new List<Metadata.Placement.BrokerInfo>(brokers.Count);
        foreach (var broker in brokers)
        {
            bool suspected = _suspects.TryGetValue(broker.Id, out long since) && Time.GetElapsedTime(since) < Options.ReplicaTimeout;
            result.Add(suspected && broker.IsLive ? broker with { IsLive = false } : broker);
        }

        return result;
    }

    /// <summary>Describes a topic, mapping an unknown topic to a clear gRPC status.</summary>
    public async Task<TopicDescription> DescribeAsync(string topic, CancellationToken cancellationToken)
    {
        try
        {
            return await Metadata.DescribeTopicAsync(topic, cancellationToken).ConfigureAwait(false);
        }
        catch (UnknownTopicException e)
        {
            throw new RpcException(new Status(StatusCode.NotFound, e.Message));
        }
    }

    /// <summary>
    /// The leader this broker runs for the range's open segment, or where the client should go instead. Opens a new
    /// segment when the range has none, and seals one whose leader is gone.
    /// </summary>
    public async Task<(SegmentLeader? Leader, ProduceRedirect? Redirect)> OpenProduceAsync(ProduceOpen open, CancellationToken cancellationToken)
    {
        var rangeId = new RangeId(open.RangeId);
        var gate = _rangeLocks.GetOrAdd(rangeId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (int attempt = 0; attempt < 10; attempt++)
            {
                var description = await DescribeAsync(open.Topic, cancellationToken).ConfigureAwait(false);
                var range = FindRange(description, rangeId);
                var (last, baseOffset) = LastSegment(description, rangeId);
                if (last is { State: SegmentState.Open })
                {
                    ulong leader = last.Replicas[0];
                    if (leader == BrokerId && LeaderOf(last.Id) is { IsSealing: false } running)
                    {
                        return (running, null);
                    }

                    if (leader == BrokerId && Store.GetSegment(StoreIds.Of(last.Id)) is null)
                    {
                        var created = new SegmentLeader(this, last.Id, open.Topic, baseOffset, last.Replicas, description.Topic.Policy);
                        _leaders[last.Id] = created;
                        created.Start();
                        DataPathLog.LeadingSegment(Logger, BrokerId, last.Id.ToString(), string.Join(',', last.Replicas), baseOffset);
                        return (created, null);
                    }

                    if (leader != BrokerId && IsLive(leader))
                    {
                        return (null, new ProduceRedirect { BrokerId = leader, Endpoint = Directory.EndpointOf(leader) ?? string.Empty });
                    }

                    if (leader == BrokerId && LeaderOf(last.Id) is not null)
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(10), Time, cancellationToken).ConfigureAwait(false);
                        continue; // Sealing right now; describe again.
                    }

                    await SealOrphanAsync(description, last, baseOffset, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (range.State != RangeState.Active)
                {
                    throw new RpcException(new Status(StatusCode.FailedPrecondition,
                        $"Range {range.Id} of '{open.Topic}' is retired; produce to its children {string.Join(',', range.Children)}."));
                }

                await OpenSegmentAsync(description, range, cancellationToken).ConfigureAwait(false);
            }

            throw new RpcException(new Status(StatusCode.Unavailable, $"Could not open a segment of range {rangeId}; retry."));
        }
        finally
        {
            gate.Release();
        }
    }

    private static RangeInfo FindRange(TopicDescription description, RangeId rangeId)
    {
        foreach (var range in description.Ranges)
        {
            if (range.Id == rangeId)
            {
                return range;
            }
        }

        throw new RpcException(new Status(StatusCode.NotFound, $"Topic '{description.Topic.Name}' has no range {rangeId}."));
    }

    /// <summary>The range's last segment (null when none) and its base offset (offsets run on across segments).</summary>
    public static (Metadata.Model.SegmentInfo? Last, long BaseOffset) LastSegment(TopicDescription description, RangeId rangeId)
    {
        Metadata.Model.SegmentInfo? last = null;
        long baseOffset = 0;
        foreach (var segment in description.Segments)
        {
            if (segment.Id.Range == rangeId)
            {
                if (last is not null)
                {
                    baseOffset = last.EndOffset;
                }

                last = segment;
            }
        }

        return (last, baseOffset);
    }

    private async Task OpenSegmentAsync(TopicDescription description, RangeInfo range, CancellationToken cancellationToken)
    {
        int rf = description.Topic.Policy.ReplicationFactor;
        var replicas = SegmentPlacement.Choose(PlaceableBrokers(), SegmentPlacement.OpenSegmentsPerBroker(description.Segments), rf, BrokerId);
        if (replicas is null)
        {
            throw new RpcException(new Status(StatusCode.Unavailable,
                $"Not enough live brokers for '{description.Topic.Name}': replication factor {rf} needs at least {VnodeStateMachine.MinimumReplicas(rf)} live."));
        }

        if (replicas.Count < rf)
        {
            // Brokers are down: open on a majority so producers go on; re-replication tops the segment up once sealed.
            DataPathLog.OpenedDegraded(Logger, description.Topic.Name, range.Id.ToString(), replicas.Count, rf);
        }

        try
        {
            await Metadata.OpenSegmentAsync(range.Id, replicas, cancellationToken).ConfigureAwait(false);
        }
        catch (MetadataRequestException)
        {
            // Another broker opened one meanwhile; the caller describes again.
        }
    }

    /// <summary>
    /// Seals an open segment whose leader is gone at the smallest durable end among the replicas still reachable:
    /// every acknowledged record is durable on every replica, so none is lost. Each replica is fenced first (its copy
    /// sealed): a leader that only seems gone can then make nothing more durable on it, so it cannot acknowledge a
    /// record past the end chosen here.
    /// </summary>
    private async Task SealOrphanAsync(TopicDescription description, Metadata.Model.SegmentInfo segment, long baseOffset, CancellationToken cancellationToken)
    {
        long storeId = StoreIds.Of(segment.Id);
        var seal = new OrphanSeal(segment.Replicas, BrokerId);
        foreach (ulong replica in seal.ReplicasToFence())
        {
            seal.OnFenced(replica == BrokerId
                ? await FenceAsync(storeId, description.Topic.Name, baseOffset, cancellationToken).ConfigureAwait(false)
                : await ReplicaEndAsync(replica, storeId, description.Topic.Name, baseOffset, cancellationToken).ConfigureAwait(false));
        }

        if (seal.End is not { } end)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"No replica of segment {segment.Id} is reachable."));
        }

        try
        {
            await Metadata.SealSegmentAsync(segment.Id, end, Store.GetSegment(storeId)?.SizeBytes ?? -1, cancellationToken).ConfigureAwait(false);
            DataPathLog.SealedOrphan(Logger, segment.Id.ToString(), segment.Replicas[0], end);
        }
        catch (MetadataRequestException)
        {
            // Sealed by someone else meanwhile.
        }
    }

    /// <summary>
    /// Seals this broker's copy of a segment (an empty copy at <paramref name="baseOffset"/> when it has none) and
    /// returns its durable end: appends from the segment's old leader fail from now on.
    /// </summary>
    public async Task<long> FenceAsync(long storeId, string topic, long baseOffset, CancellationToken cancellationToken)
    {
        if (Store.GetSegment(storeId) is null)
        {
            try
            {
                Store.CreateSegment(storeId, topic, baseOffset);
            }
            catch (InvalidOperationException)
            {
                // Created meanwhile by a replicate stream (or deleted): fence what is there.
            }
        }

        if (Store.GetSegment(storeId) is { IsSealed: false })
        {
            await Store.SealSegmentAsync(storeId, cancellationToken).ConfigureAwait(false);
        }

        return Store.GetSegment(storeId)?.NextOffset ?? baseOffset;
    }

    private async Task<long?> ReplicaEndAsync(ulong replica, long storeId, string topic, long baseOffset, CancellationToken cancellationToken)
    {
        if (!IsLive(replica))
        {
            return null;
        }

        try
        {
            var state = await Peer(replica).GetReplicaStateAsync(new ReplicaStateRequest { StoreSegmentId = storeId, Fence = true, Topic = topic, BaseOffset = baseOffset }, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            return state.Exists ? state.DurableEndOffset : baseOffset;
        }
        catch (RpcException)
        {
            return null;
        }
    }
}
