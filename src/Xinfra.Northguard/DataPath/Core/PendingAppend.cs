namespace Xinfra.Northguard.DataPath.Core;

/// <summary>
/// An append whose producer waits for its ack until it is durable on every replica (then the ack goes to whoever
/// <paramref name="Token"/> names), or until the segment seals (then the producer resends on the next segment).
/// </summary>
/// <typeparam name="TToken">The caller's handle on the producer waiting for the ack.</typeparam>
/// <param name="Token">The waiting producer (a produce stream in the engine, a pending call in the simulator).</param>
/// <param name="Sequence">The append's sequence number.</param>
/// <param name="BaseOffset">The offset of its first record.</param>
/// <param name="End">The offset after its last record.</param>
/// <param name="AppendedAt">When it was appended (or resent), on the caller's clock.</param>
public readonly record struct PendingAppend<TToken>(TToken Token, long Sequence, long BaseOffset, long End, TimeSpan AppendedAt);

/// <summary>What a durable report did (<see cref="SegmentReplicationCore{TToken}.OnDurable"/>).</summary>
/// <typeparam name="TToken">The caller's handle on a waiting producer.</typeparam>
/// <param name="Verdict">Recorded, ignored (stale or sealing) or a lie.</param>
/// <param name="Committed">The appends committed by this report, in append order, to acknowledge now.</param>
public readonly record struct DurableOutcome<TToken>(DurableVerdict Verdict, IReadOnlyList<PendingAppend<TToken>> Committed);

/// <summary>The verdicts of a <see cref="DurableOutcome{TToken}"/>.</summary>
public enum DurableVerdict
{
    /// <summary>Stale (not beyond what the replica reported before) or the segment is sealing: nothing changed.</summary>
    Ignored,

    /// <summary>Recorded; the committed offset may have moved.</summary>
    Recorded,

    /// <summary>The replica reported more than it was sent: seal (<see cref="SealCause.ReplicaLied"/>).</summary>
    Lied,
}

/// <summary>The start of a seal (<see cref="SegmentReplicationCore{TToken}.Seal"/>).</summary>
/// <typeparam name="TToken">The caller's handle on a waiting producer.</typeparam>
/// <param name="Started">False when the segment was already sealing (the other fields are then empty).</param>
/// <param name="End">The committed offset to seal at: every record below it is durable on every replica.</param>
/// <param name="Unacknowledged">Producers still waiting for an ack; they resend on the next segment.</param>
public readonly record struct SealStart<TToken>(bool Started, long End, IReadOnlyList<PendingAppend<TToken>> Unacknowledged);
