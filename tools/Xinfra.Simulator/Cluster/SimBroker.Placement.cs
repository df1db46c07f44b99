namespace Xinfra.Simulator.Cluster;

/// <summary>
/// Placement as <c>DataPathEngine.Segments</c> does it since the engine change of 2026-11-25: a broker whose replica
/// stream just failed (timed out or refused) is suspected and not placed on for one replica timeout, though pings
/// may still call it live. Which of the placeable brokers get the segment (a majority when too few are placeable)
/// is the engine's own <c>SegmentPlacement.Choose</c>. The engine's re-replicator then tops sealed segments
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
}
