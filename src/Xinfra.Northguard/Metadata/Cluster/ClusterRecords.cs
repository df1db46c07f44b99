using Xinfra.Northguard.Metadata.Placement;

namespace Xinfra.Northguard.Metadata.Cluster;

/// <summary>One row of the vnode table: where a vnode's Raft group lives and who leads it.</summary>
/// <param name="Vnode">The vnode.</param>
/// <param name="Start">First hash of its ring arc.</param>
/// <param name="End">Last hash of its ring arc (inclusive).</param>
/// <param name="Replicas">The brokers of its Raft group.</param>
/// <param name="Leader">The last reported leader, or 0.</param>
/// <param name="Term">The term of that report.</param>
public sealed record VnodeAssignment(int Vnode, ulong Start, ulong End, IReadOnlyList<ulong> Replicas, ulong Leader, long Term);

/// <summary>A change to the small global state (broker membership and the vnode table).</summary>
public abstract record ClusterCommand;

/// <summary>Adds or updates a broker's address and attributes.</summary>
public sealed record RegisterBrokerCommand(BrokerInfo Broker) : ClusterCommand;

/// <summary>Removes a broker from the membership (it must hold no vnode replica).</summary>
public sealed record DeregisterBrokerCommand(ulong Broker) : ClusterCommand;

/// <summary>Sets a vnode's replicas (initial assignment or a completed move).</summary>
public sealed record AssignVnodeCommand(int Vnode, IReadOnlyList<ulong> Replicas) : ClusterCommand;

/// <summary>Reports a vnode's leader; ignored when older than the recorded term.</summary>
public sealed record ReportVnodeLeaderCommand(int Vnode, ulong Leader, long Term) : ClusterCommand;
