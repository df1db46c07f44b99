using Xinfra.Northguard.Metadata.Model;

namespace Xinfra.Northguard.DataPath;

/// <summary>Maps a metadata <see cref="SegmentId"/> to the fps-store's non-negative segment id.</summary>
internal static class StoreIds
{
    /// <summary>Packs vnode (15 bits), range sequence (27 bits) and segment sequence (20 bits).</summary>
    public static long Of(SegmentId segment)
    {
        int vnode = segment.Range.Vnode;
        long range = segment.Range.Sequence;
        if (vnode >= 1 << 15 || range >= 1L << 27 || segment.Sequence is < 0 or >= 1 << 20)
        {
            throw new ArgumentOutOfRangeException(nameof(segment), $"Segment {segment} does not fit a store segment id.");
        }

        return ((long)vnode << 47) | (range << 20) | (long)segment.Sequence;
    }
}
