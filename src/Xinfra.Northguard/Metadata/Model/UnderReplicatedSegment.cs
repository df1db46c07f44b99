namespace Xinfra.Northguard.Metadata.Model;

/// <summary>A sealed segment with at least one replica on a broker that is no longer live.</summary>
/// <param name="Topic">The topic of the segment's range (what a consume stream names).</param>
/// <param name="Segment">The segment, its replicas (live and gone) and its end offset.</param>
/// <param name="BaseOffset">The offset of its first record (the previous segment's end, or 0).</param>
public sealed record UnderReplicatedSegment(string Topic, SegmentInfo Segment, long BaseOffset);
