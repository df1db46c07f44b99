namespace Xinfra.Northguard.DataPath.Core;

/// <summary>What the leader does with one producer append (<see cref="SegmentReplicationCore{TToken}.Admit"/>).</summary>
/// <param name="Kind">The decision.</param>
/// <param name="ExpectedSequence">For <see cref="AdmissionKind.Gap"/>, the sequence the leader expected.</param>
/// <param name="BaseOffset">For a duplicate, the offset of the original append's first record.</param>
/// <param name="End">For a duplicate, the offset after the original append's last record.</param>
public readonly record struct Admission(AdmissionKind Kind, long ExpectedSequence, long BaseOffset, long End)
{
    internal static Admission Append => new(AdmissionKind.Append, 0, 0, 0);

    internal static Admission Sealed => new(AdmissionKind.Sealed, 0, 0, 0);

    internal static Admission Gap(long expected) => new(AdmissionKind.Gap, expected, 0, 0);

    internal static Admission Duplicate(AdmissionKind kind, long baseOffset, long end) => new(kind, 0, baseOffset, end);
}

/// <summary>The kinds of <see cref="Admission"/>.</summary>
public enum AdmissionKind
{
    /// <summary>New: append it to the store, then report it with <see cref="SegmentReplicationCore{TToken}.OnAppended"/>.</summary>
    Append,

    /// <summary>The segment is sealing: the producer resends on the next segment.</summary>
    Sealed,

    /// <summary>The sequence does not follow the producer's last one: nothing was written.</summary>
    Gap,

    /// <summary>A resend of an append already committed: acknowledge it now with the original offsets.</summary>
    DuplicateCommitted,

    /// <summary>A resend of an append not committed yet: it is acknowledged with the original when that commits.</summary>
    DuplicatePending,
}
