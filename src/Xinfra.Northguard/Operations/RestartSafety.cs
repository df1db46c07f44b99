using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Placement;
using Xinfra.Northguard.Metadata.StateMachine;

namespace Xinfra.Northguard.Operations;

/// <summary>Why restarting a broker would hurt one segment.</summary>
public enum RestartBlocker
{
    /// <summary>Another replica of the segment is already on a broker that is not live: it would drop further below its replication factor.</summary>
    AlreadyUnderReplicated,

    /// <summary>The broker holds the only live replica: the segment would be unreadable while it restarts.</summary>
    OnlyLiveReplica,
}

/// <summary>One segment that blocks a restart.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Segment">The segment (replicas, state, end offset).</param>
/// <param name="ReplicationFactor">The topic's replication factor.</param>
/// <param name="LiveReplicas">Replicas on live brokers now.</param>
/// <param name="Reason">Why it blocks.</param>
public sealed record BlockingSegment(string Topic, SegmentInfo Segment, int ReplicationFactor, int LiveReplicas, RestartBlocker Reason);

/// <summary>The answer of the patching check for one broker.</summary>
/// <param name="BrokerId">The broker.</param>
/// <param name="Safe">True when no segment with a replica on the broker would drop below its replication factor or lose its last live replica.</param>
/// <param name="SegmentsOnBroker">How many segments have a replica on the broker.</param>
/// <param name="Blocking">The segments that make it unsafe.</param>
public sealed record RestartSafetyReport(ulong BrokerId, bool Safe, int SegmentsOnBroker, IReadOnlyList<BlockingSegment> Blocking);

/// <summary>
/// PayPal's patching check for Northguard: a broker may restart only when every segment with a replica on it is
/// fully replicated on live brokers (open segments included), so that taking the broker away leaves each segment
/// one replica short at most and never without a live replica. Pure: takes the cluster's metadata and liveness.
/// </summary>
public static class RestartSafety
{
    /// <summary>Evaluates restarting <paramref name="brokerId"/>.</summary>
    public static RestartSafetyReport Evaluate(ulong brokerId, IReadOnlyList<TopicDescription> topics, IReadOnlyList<BrokerInfo> brokers)
    {
        ArgumentNullException.ThrowIfNull(topics);
        ArgumentNullException.ThrowIfNull(brokers);
        var live = brokers.Where(b => b.IsLive).Select(b => b.Id).ToHashSet();
        var blocking = new List<BlockingSegment>();
        int onBroker = 0;
        foreach (var topic in topics)
        {
            int factor = topic.Topic.Policy.ReplicationFactor;
            foreach (var segment in topic.Segments)
            {
                if (!segment.Replicas.Contains(brokerId))
                {
                    continue;
                }

                onBroker++;
                int liveReplicas = segment.Replicas.Count(live.Contains);
                int othersLive = segment.Replicas.Count(r => r != brokerId && live.Contains(r));
                RestartBlocker? reason =
                    othersLive == 0 ? RestartBlocker.OnlyLiveReplica
                    : segment.Replicas.Any(r => r != brokerId && !live.Contains(r)) || segment.Replicas.Count < factor ? RestartBlocker.AlreadyUnderReplicated
                    : null;
                if (reason is { } r)
                {
                    blocking.Add(new BlockingSegment(topic.Topic.Name, segment, factor, liveReplicas, r));
                }
            }
        }

        return new RestartSafetyReport(brokerId, blocking.Count == 0, onBroker, blocking);
    }
}
