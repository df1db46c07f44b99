using Xinfra.Northguard.Metadata.Cluster;
using Xinfra.Northguard.Metadata.Network;
using Xinfra.Northguard.Metadata.Placement;
using Xinfra.Northguard.Metadata.Ring;
using Wire = Xinfra.Northguard.Protocol.Raft;

namespace Xinfra.Northguard.Metadata.Hosting;

/// <summary>
/// <see cref="IBrokerDirectory"/> fed on the metadata loop: a local (unreplicated) <see cref="ClusterStateMachine"/>
/// with the static membership and vnode assignment, leader reports from the local Raft groups and from peers'
/// gossip (stale terms ignored), and <see cref="BrokerLiveness"/> counting ticks since each broker was last heard.
/// </summary>
internal sealed class BrokerDirectory : IBrokerDirectory
{
    private readonly MetadataMembership _membership;
    private readonly ClusterStateMachine _state;
    private readonly BrokerLiveness _liveness;
    private readonly Dictionary<ulong, IReadOnlyDictionary<string, string>> _attributes = [];
    private volatile IReadOnlyList<BrokerInfo> _brokers = [];
    private volatile IReadOnlyList<VnodeAssignment> _vnodes = [];

    public BrokerDirectory(ulong self, VnodeRing ring, MetadataMembership membership, int replicationFactor, int livenessTimeoutTicks,
        IReadOnlyDictionary<string, string> attributes)
    {
        LocalBroker = self;
        Ring = ring;
        _membership = membership;
        _state = new ClusterStateMachine(ring);
        _liveness = new BrokerLiveness(livenessTimeoutTicks);
        _attributes[self] = attributes;
        foreach (ulong broker in membership.Brokers)
        {
            _state.Apply(new RegisterBrokerCommand(new BrokerInfo(broker, string.Empty, 0, new Dictionary<string, string>(), false)));
        }

        for (int v = 0; v < ring.Count; v++)
        {
            _state.Apply(new AssignVnodeCommand(v, membership.ReplicasOf(v, replicationFactor)));
        }

        Publish();
    }

    public ulong LocalBroker { get; }

    public VnodeRing Ring { get; }

    public IReadOnlyList<BrokerInfo> Brokers => _brokers;

    public IReadOnlyList<BrokerInfo> LiveBrokers => [.. _brokers.Where(b => b.IsLive)];

    public IReadOnlyList<VnodeAssignment> Vnodes => _vnodes;

    public string? EndpointOf(ulong broker) => _membership.GetEndpoint(broker);

    /// <summary>The live leader last reported for <paramref name="vnode"/>, or 0.</summary>
    public ulong LeaderOf(int vnode)
    {
        var vnodes = _vnodes;
        if (vnode < 0 || vnode >= vnodes.Count)
        {
            return 0;
        }

        ulong leader = vnodes[vnode].Leader;
        return leader != 0 && _brokers.Any(b => b.Id == leader && b.IsLive) ? leader : 0;
    }

    // The methods below run on the metadata loop.
    public void Tick() => _liveness.Tick();

    public void Heard(ulong broker) => _liveness.Heartbeat(broker);

    public void ReportLeader(int vnode, ulong leader, long term)
    {
        if (leader != 0)
        {
            _state.Apply(new ReportVnodeLeaderCommand(vnode, leader, term));
        }
    }

    public void OnGossip(ulong from, Wire.Gossip gossip)
    {
        if (!string.IsNullOrEmpty(gossip.Endpoint))
        {
            _membership.SetEndpoint(from, gossip.Endpoint);
        }

        _attributes[from] = new Dictionary<string, string>(gossip.Attributes);
        foreach (var led in gossip.Leads)
        {
            ReportLeader((int)led.Vnode, from, led.Term);
        }
    }

    public void Publish()
    {
        _liveness.Heartbeat(LocalBroker);
        var brokers = new List<BrokerInfo>();
        foreach (var b in _state.Brokers)
        {
            string? endpoint = _membership.GetEndpoint(b.Id);
            var uri = endpoint is null ? null : new Uri(endpoint);
            brokers.Add(new BrokerInfo(b.Id, uri?.Host ?? string.Empty, uri?.Port ?? 0,
                _attributes.GetValueOrDefault(b.Id) ?? new Dictionary<string, string>(), _liveness.IsLive(b.Id)));
        }

        _brokers = brokers;
        _vnodes = [.. _state.Vnodes];
    }
}
