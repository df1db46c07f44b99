using Xinfra.Northguard.Metadata.Ring;

namespace Xinfra.Northguard.Metadata.Model;

/// <summary>Whether a range still takes writes.</summary>
public enum RangeState : byte
{
    /// <summary>Part of the topic's current key-space cover.</summary>
    Active = 0,

    /// <summary>Split or merged away: read to its end, then continue with its children.</summary>
    Retired = 1,
}

/// <summary>Whether a segment still takes appends.</summary>
public enum SegmentState : byte
{
    /// <summary>The range's active segment.</summary>
    Open = 0,

    /// <summary>Immutable.</summary>
    Sealed = 1,

    /// <summary>
    /// Removed by retention: its records are gone from every replica, but it keeps its place (and end offset) in the
    /// range's chain so the offsets of the segments after it stay where they were.
    /// </summary>
    Deleted = 2,
}

/// <summary>A segment of a range: the unit of replication.</summary>
/// <param name="Range">The owning range.</param>
/// <param name="Sequence">The segment's position in the range's chain, from 0.</param>
public readonly record struct SegmentId(RangeId Range, int Sequence)
{
    /// <inheritdoc />
    public override string ToString() => $"{Range}#{Sequence}";
}

/// <summary>A topic and its storage policy.</summary>
/// <param name="Name">The topic name.</param>
/// <param name="Policy">Its storage policy.</param>
/// <param name="Ranges">Every range of the topic, active or retired, in creation order.</param>
public sealed record TopicInfo(string Name, StoragePolicy Policy, IReadOnlyList<RangeId> Ranges);

/// <summary>A contiguous slice [<paramref name="KeyStart"/>, <paramref name="KeyEnd"/>] of the key-hash space.</summary>
/// <param name="Id">The range id.</param>
/// <param name="Topic">The owning topic.</param>
/// <param name="KeyStart">First key hash covered.</param>
/// <param name="KeyEnd">Last key hash covered (inclusive).</param>
/// <param name="State">Active or retired.</param>
/// <param name="Parents">The ranges it was split or merged from.</param>
/// <param name="Children">The ranges it was split or merged into.</param>
/// <param name="SegmentCount">How many segments its chain holds.</param>
public sealed record RangeInfo(RangeId Id, string Topic, ulong KeyStart, ulong KeyEnd, RangeState State,
    IReadOnlyList<RangeId> Parents, IReadOnlyList<RangeId> Children, int SegmentCount);

/// <summary>A segment and where it is replicated.</summary>
/// <param name="Id">The segment id.</param>
/// <param name="State">Open or sealed.</param>
/// <param name="Replicas">The brokers holding it.</param>
/// <param name="EndOffset">For a sealed segment, the offset after its last acknowledged record.</param>
/// <param name="SealedAtUnixMs">When the coordinator sealed it (Unix ms, the coordinator's clock); -1 while open or unknown.</param>
/// <param name="SizeBytes">Its size in bytes as the sealing leader reported it; -1 while open or unknown.</param>
public sealed record SegmentInfo(SegmentId Id, SegmentState State, IReadOnlyList<ulong> Replicas, long EndOffset, long SealedAtUnixMs = -1, long SizeBytes = -1);
