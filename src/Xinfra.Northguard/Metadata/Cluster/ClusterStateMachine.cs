using Xinfra.Northguard.Metadata.Placement;
using Xinfra.Northguard.Metadata.Ring;

namespace Xinfra.Northguard.Metadata.Cluster;

/// <summary>
/// The small global state, replicated by its own Raft group: registered brokers (address, attributes) and the vnode
/// table (ring arc, replicas, last known leader and term). Liveness is not replicated: see <see cref="BrokerLiveness"/>.
/// </summary>
public sealed class ClusterStateMachine
{
    private readonly SortedDictionary<ulong, BrokerInfo> _brokers = [];
    private readonly VnodeAssignment[] _vnodes;

    /// <summary>Creates the empty state for a ring.</summary>
    public ClusterStateMachine(VnodeRing ring)
    {
        ArgumentNullException.ThrowIfNull(ring);
        _vnodes = new VnodeAssignment[ring.Count];
        for (int v = 0; v < ring.Count; v++)
        {
            _vnodes[v] = new VnodeAssignment(v, ring.Start(v), ring.End(v), [], 0, 0);
        }
    }

    /// <summary>The registered brokers, by id.</summary>
    public IReadOnlyCollection<BrokerInfo> Brokers => _brokers.Values;

    /// <summary>The vnode table, indexed by vnode.</summary>
    public IReadOnlyList<VnodeAssignment> Vnodes => _vnodes;

    /// <summary>Applies a committed command; returns null on success, otherwise why it changed nothing.</summary>
    public string? Apply(ClusterCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        switch (command)
        {
            case RegisterBrokerCommand c when c.Broker.Id != 0:
                _brokers[c.Broker.Id] = c.Broker;
                return null;
            case DeregisterBrokerCommand c:
                foreach (var row in _vnodes)
                {
                    if (row.Replicas.Contains(c.Broker))
                    {
                        return $"Broker {c.Broker} still replicates vnode {row.Vnode}.";
                    }
                }

                return _brokers.Remove(c.Broker) ? null : $"Broker {c.Broker} is not registered.";
            case AssignVnodeCommand c when c.Vnode >= 0 && c.Vnode < _vnodes.Length:
                foreach (ulong replica in c.Replicas)
                {
                    if (!_brokers.ContainsKey(replica))
                    {
                        return $"Broker {replica} is not registered.";
                    }
                }

                _vnodes[c.Vnode] = _vnodes[c.Vnode] with { Replicas = [.. c.Replicas] };
                return null;
            case ReportVnodeLeaderCommand c when c.Vnode >= 0 && c.Vnode < _vnodes.Length:
                var current = _vnodes[c.Vnode];
                if (c.Term < current.Term || !current.Replicas.Contains(c.Leader))
                {
                    return "Stale leader report.";
                }

                _vnodes[c.Vnode] = current with { Leader = c.Leader, Term = c.Term };
                return null;
            default:
                return "Invalid cluster command.";
        }
    }

    /// <summary>
    /// Assigns every vnode without replicas to <paramref name="replicationFactor"/> live brokers, least loaded (in
    /// vnode replicas) first, spread by <paramref name="spreadBy"/> when given. Returns the commands to propose.
    /// </summary>
    public IReadOnlyList<AssignVnodeCommand> PlanInitialAssignment(int replicationFactor, string? spreadBy = null)
    {
        var load = new Dictionary<ulong, int>();
        foreach (var row in _vnodes)
        {
            foreach (ulong replica in row.Replicas)
            {
                load[replica] = load.GetValueOrDefault(replica) + 1;
            }
        }

        var brokers = new List<BrokerInfo>(_brokers.Values);
        var plan = new List<AssignVnodeCommand>();
        foreach (var row in _vnodes)
        {
            if (row.Replicas.Count > 0)
            {
                continue;
            }

            var chosen = ReplicaPlacer.Choose(brokers, load, replicationFactor, spreadBy);
            if (chosen is null)
            {
                break;
            }

            foreach (ulong broker in chosen)
            {
                load[broker] = load.GetValueOrDefault(broker) + 1;
            }

            plan.Add(new AssignVnodeCommand(row.Vnode, chosen));
        }

        return plan;
    }
}
