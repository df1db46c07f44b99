using Xinfra.Northguard.Metadata.Cluster;
using Xinfra.Northguard.Metadata.Placement;
using Xinfra.Northguard.Metadata.Ring;

namespace Xinfra.Northguard.Metadata.Hosting;

/// <summary>
/// The small global state as this broker sees it: broker membership with liveness, and the vnode table (ring arcs,
/// replicas, last known leader and term). Eventually consistent (gossip), never used for safety. Thread-safe; each
/// property returns an immutable snapshot.
/// </summary>
public interface IBrokerDirectory : DataPath.IBrokerDirectory
{
    /// <summary>This broker's id.</summary>
    ulong LocalBroker { get; }

    /// <summary>The vnode ring.</summary>
    VnodeRing Ring { get; }

    /// <summary>The members whose heartbeats are current (this broker included).</summary>
    IReadOnlyList<BrokerInfo> LiveBrokers { get; }

    /// <summary>The vnode table, indexed by vnode.</summary>
    IReadOnlyList<VnodeAssignment> Vnodes { get; }
}
