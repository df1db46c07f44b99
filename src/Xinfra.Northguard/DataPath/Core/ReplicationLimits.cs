namespace Xinfra.Northguard.DataPath.Core;

/// <summary>The limits a <see cref="SegmentReplicationCore{TToken}"/> seals on, and how many sequences it remembers.</summary>
/// <param name="MaxSize">Seal once this much was appended, in the caller's unit (bytes in the engine, records in the simulator).</param>
/// <param name="MaxAge">Seal once the segment is this old.</param>
/// <param name="ReplicaTimeout">Seal when the oldest unacknowledged append waited this long for some replica.</param>
/// <param name="IdempotenceWindow">
/// How many recent appends per producer keep their offsets, so a resend is answered rather than rewritten.
/// </param>
public readonly record struct ReplicationLimits(long MaxSize, TimeSpan MaxAge, TimeSpan ReplicaTimeout, int IdempotenceWindow)
{
    /// <summary>Throws when a limit is not positive.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxSize, nameof(MaxSize));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MaxAge, TimeSpan.Zero, nameof(MaxAge));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ReplicaTimeout, TimeSpan.Zero, nameof(ReplicaTimeout));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(IdempotenceWindow, nameof(IdempotenceWindow));
    }
}
