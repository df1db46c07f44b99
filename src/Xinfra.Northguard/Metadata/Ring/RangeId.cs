namespace Xinfra.Northguard.Metadata.Ring;

/// <summary>
/// A range's id: the vnode that owns it in the top 16 bits and a per-vnode sequence below, so any broker can route
/// a range (or segment) request without a lookup.
/// </summary>
/// <param name="Value">The packed id.</param>
public readonly record struct RangeId(ulong Value)
{
    /// <summary>Packs a vnode and a sequence number (below 2^48).</summary>
    public static RangeId Create(int vnode, long sequence)
    {
        if (vnode is < 0 or > ushort.MaxValue || sequence is < 0 or >= 1L << 48)
        {
            throw new ArgumentOutOfRangeException(nameof(sequence), "The vnode must fit 16 bits and the sequence 48 bits.");
        }

        return new RangeId(((ulong)vnode << 48) | (ulong)sequence);
    }

    /// <summary>The owning vnode.</summary>
    public int Vnode => (int)(Value >> 48);

    /// <summary>The sequence within the vnode.</summary>
    public long Sequence => (long)(Value & ((1UL << 48) - 1));

    /// <inheritdoc />
    public override string ToString() => $"{Vnode}/{Sequence}";
}
