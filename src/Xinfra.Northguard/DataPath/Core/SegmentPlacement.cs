using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Placement;
using Xinfra.Northguard.Metadata.StateMachine;

namespace Xinfra.Northguard.DataPath.Core;

/// <summary>
/// Where a new segment's replicas go, decided the same way by the engine and the simulator: the least-loaded live
/// brokers (load = open segments), as many as the replication factor asks; when brokers are down, as many as are
/// live down to a majority of it (re-replication tops the segment up once sealed); the broker opening it first, so
/// it leads. Pure: the caller says which brokers are live (and drops the ones it suspects).
/// </summary>
public static class SegmentPlacement
{
    /// <summary>Open segments per broker: the load placement balances.</summary>
    public static Dictionary<ulong, int> OpenSegmentsPerBroker(IEnumerable<SegmentInfo> segments)
    {
        ArgumentNullException.ThrowIfNull(segments);
        var load = new Dictionary<ulong, int>();
        foreach (var segment in segments)
        {
            if (segment.State == SegmentState.Open)
            {
                foreach (ulong replica in segment.Replicas)
                {
                    load[replica] = load.GetValueOrDefault(replica) + 1;
                }
            }
        }

        return load;
    }

    /// <summary>
    /// The replicas of a new segment, <paramref name="opener"/> first when chosen, or null when fewer than a majority
    /// of <paramref name="replicationFactor"/> brokers are live. Fewer than the factor only when
    /// <paramref name="allowMajority"/>.
    /// </summary>
    /// <param name="brokers">The known brokers and their liveness.</param>
    /// <param name="load">Open segments per broker (<see cref="OpenSegmentsPerBroker"/>).</param>
    /// <param name="replicationFactor">The topic's replication factor.</param>
    /// <param name="opener">The broker opening the segment: it leads the segment when it is one of the replicas.</param>
    /// <param name="allowMajority">Whether to open on a majority when too few brokers are live for the full factor.</param>
    public static IReadOnlyList<ulong>? Choose(IReadOnlyList<BrokerInfo> brokers, IReadOnlyDictionary<ulong, int> load, int replicationFactor,
        ulong opener, bool allowMajority = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(replicationFactor);
        var chosen = ReplicaPlacer.Choose(brokers, load, replicationFactor);
        int least = allowMajority ? VnodeStateMachine.MinimumReplicas(replicationFactor) : replicationFactor;
        for (int fewer = replicationFactor - 1; chosen is null && fewer >= least; fewer--)
        {
            chosen = ReplicaPlacer.Choose(brokers, load, fewer);
        }

        if (chosen is null)
        {
            return null;
        }

        var replicas = new List<ulong>(chosen);
        if (replicas.Remove(opener))
        {
            replicas.Insert(0, opener);
        }

        return replicas;
    }
}
