using Xinfra.Northguard.Metadata.StateMachine;

namespace Xinfra.Simulator.Cluster;

/// <summary>
/// Placement as <c>DataPathEngine.Segments</c> does it since the engine change of 2026-11-25: a broker whose replica
/// stream just failed (timed out or refused) is suspected and not placed on for one replica timeout, though pings
/// may still call it live; when too few brokers are placeable for the replication factor, the segment opens on a
/// majority (<see cref="VnodeStateMachine.MinimumReplicas"/>). The engine's re-replicator then tops sealed segments
/// up to the replication factor; the model does not re-replicate yet (a short copy stays short).
/// </summary>
internal sealed partial class SimBroker
{
    private readonly Dictionary<ulong, long> _suspects = [];
    private int _suspectsLife = -1;

    /// <summary>A replica of a segment this broker leads failed: no new segment goes there for a replica timeout.</summary>
    private void Suspect(ulong broker)
    {
        if (_suspectsLife != Incarnation)
        {
            _suspects.Clear(); // The engine keeps suspects in the process: a restart forgets them.
            _suspectsLife = Incarnation;
        }

        _suspects[broker] = _world.Loop.Now;
    }

    /// <summary>Live brokers (pings) that this broker does not suspect, in id order.</summary>
    private List<ulong> PlaceableBrokers()
    {
        var live = LiveBrokers();
        if (_suspectsLife != Incarnation || _suspects.Count == 0)
        {
            return live;
        }

        return [.. live.Where(b => !(_suspects.TryGetValue(b, out long since) && _world.Loop.Now - since < _world.Options.ReplicaTimeoutTicks))];
    }

    /// <summary>How many replicas to place for <paramref name="rf"/> on <paramref name="placeable"/> brokers; 0 when not even a majority.</summary>
    private static int ReplicaCount(int rf, int placeable) =>
        placeable >= rf ? rf : placeable >= VnodeStateMachine.MinimumReplicas(rf) ? placeable : 0;
}
