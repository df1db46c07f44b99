namespace Xinfra.Northguard.DataPath.Core;

/// <summary>
/// The end at which a segment whose leader is gone is sealed, decided the same way by the engine and the simulator:
/// every replica but the presumed-gone leader (unless the sealer is that leader, restarted) is fenced — its copy
/// sealed, so a leader that only seems gone can make nothing more durable there — and the segment is sealed at the
/// smallest fenced durable end. Every acknowledged record is durable on every replica, so none is cut off.
/// </summary>
public sealed class OrphanSeal
{
    private readonly IReadOnlyList<ulong> _replicas;
    private readonly ulong _sealer;
    private long _end = long.MaxValue;

    /// <summary>Plans the orphan seal of a segment with <paramref name="replicas"/> (its leader first) by <paramref name="sealer"/>.</summary>
    public OrphanSeal(IReadOnlyList<ulong> replicas, ulong sealer)
    {
        ArgumentNullException.ThrowIfNull(replicas);
        if (replicas.Count == 0)
        {
            throw new ArgumentException("A segment has at least one replica.", nameof(replicas));
        }

        _replicas = replicas;
        _sealer = sealer;
    }

    /// <summary>The replicas to fence, in order: all but the old leader, which is fenced only when it seals itself.</summary>
    public IEnumerable<ulong> ReplicasToFence()
    {
        for (int i = 0; i < _replicas.Count; i++)
        {
            if (i > 0 || _replicas[0] == _sealer)
            {
                yield return _replicas[i];
            }
        }
    }

    /// <summary>How many replicas were fenced so far.</summary>
    public int Fenced { get; private set; }

    /// <summary>
    /// The seal end: the smallest durable end of the fenced replicas, or null while none could be fenced (then the
    /// segment cannot be sealed safely yet).
    /// </summary>
    public long? End => Fenced == 0 ? null : _end;

    /// <summary>A replica was fenced with this durable end (null: unreachable, not fenced).</summary>
    public void OnFenced(long? durableEnd)
    {
        if (durableEnd is { } end)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(end, nameof(durableEnd));
            _end = Math.Min(_end, end);
            Fenced++;
        }
    }
}
