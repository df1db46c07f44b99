using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Ring;

namespace Xinfra.Northguard.Metadata.Commands;

/// <summary>A change to one vnode's metadata, replicated through its Raft log and applied deterministically.</summary>
public abstract record MetadataCommand;

/// <summary>Creates a topic covering the key space with <paramref name="InitialRanges"/> equal ranges.</summary>
public sealed record CreateTopicCommand(string Name, StoragePolicy Policy, int InitialRanges) : MetadataCommand;

/// <summary>Deletes a topic with its ranges and segments.</summary>
public sealed record DeleteTopicCommand(string Name) : MetadataCommand;

/// <summary>Splits an active range into [start, <paramref name="At"/> - 1] and [<paramref name="At"/>, end].</summary>
public sealed record SplitRangeCommand(RangeId Range, ulong At) : MetadataCommand;

/// <summary>Merges two adjacent active ranges of one topic into one.</summary>
public sealed record MergeRangesCommand(RangeId Left, RangeId Right) : MetadataCommand;

/// <summary>Opens the next segment of an active range on the given replicas.</summary>
public sealed record OpenSegmentCommand(RangeId Range, IReadOnlyList<ulong> Replicas) : MetadataCommand;

/// <summary>Seals an open segment at <paramref name="EndOffset"/>.</summary>
public sealed record SealSegmentCommand(SegmentId Segment, long EndOffset) : MetadataCommand
{
    /// <summary>When the proposer sealed it (Unix ms): retention counts from here. -1: unknown (never expires by age).</summary>
    public long SealedAtUnixMs { get; init; } = -1;

    /// <summary>The segment's size in bytes for retention by size; -1: unknown (not counted).</summary>
    public long SizeBytes { get; init; } = -1;
}

/// <summary>
/// Retention: marks the sealed segments of <paramref name="Range"/> with sequence up to <paramref name="ThroughSequence"/>
/// <see cref="SegmentState.Deleted"/>; replicas then drop their files. Always a prefix of the range's chain.
/// </summary>
public sealed record DeleteSegmentsCommand(RangeId Range, int ThroughSequence) : MetadataCommand;

/// <summary>
/// Re-replication: a sealed segment's replica on <paramref name="From"/> is replaced by <paramref name="To"/>, which
/// has already copied the segment; <paramref name="From"/> 0 adds <paramref name="To"/> to a segment opened with fewer
/// replicas than its replication factor.
/// </summary>
public sealed record ReplaceReplicaCommand(SegmentId Segment, ulong From, ulong To) : MetadataCommand;

/// <summary>Grants <paramref name="Operations"/> on a topic to a principal (<see cref="AclOperations.None"/> revokes).</summary>
public sealed record SetAclCommand(string Topic, string Principal, AclOperations Operations) : MetadataCommand;

/// <summary>
/// Writes a config document if its current version is <paramref name="ExpectedVersion"/> (0: must not exist; -1: any).
/// </summary>
public sealed record PutDocumentCommand(string Key, ReadOnlyMemory<byte> Content, long ExpectedVersion) : MetadataCommand;

/// <summary>The outcome codes of applying a command.</summary>
public enum MetadataStatus : byte
{
    /// <summary>Applied.</summary>
    Ok,

    /// <summary>A topic with that name exists.</summary>
    TopicExists,

    /// <summary>No such topic.</summary>
    UnknownTopic,

    /// <summary>No such range or segment.</summary>
    UnknownRange,

    /// <summary>The request is malformed or contradicts the current state (e.g. sealing a sealed segment).</summary>
    Invalid,

    /// <summary>A conditional write found another version.</summary>
    VersionMismatch,
}

/// <summary>The outcome of applying a command.</summary>
/// <param name="Status">Ok or why not.</param>
/// <param name="Message">What was wrong, when not ok.</param>
/// <param name="Ranges">Ranges created (create topic, split, merge).</param>
/// <param name="Segment">The segment opened or sealed.</param>
public sealed record MetadataResult(MetadataStatus Status, string? Message, IReadOnlyList<RangeId> Ranges, SegmentId? Segment)
{
    /// <summary>For a document write: the new version.</summary>
    public long Version { get; init; }

    /// <summary>A failure with a reason.</summary>
    public static MetadataResult Fail(MetadataStatus status, string message) => new(status, message, [], null);

    /// <summary>True when applied.</summary>
    public bool IsOk => Status == MetadataStatus.Ok;
}
