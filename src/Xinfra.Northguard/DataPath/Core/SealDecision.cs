namespace Xinfra.Northguard.DataPath.Core;

/// <summary>Why a segment must be sealed; <see cref="Replica"/> names the replica for the replica causes.</summary>
/// <param name="Cause">The cause.</param>
/// <param name="Replica">The replica that timed out, failed or lied (0 otherwise).</param>
public readonly record struct SealDecision(SealCause Cause, ulong Replica)
{
    /// <summary>The reason as the engine logs it.</summary>
    public override string ToString() => Cause switch
    {
        SealCause.SizeLimit => "size limit reached",
        SealCause.AgeLimit => "age limit reached",
        SealCause.ReplicaTimedOut => $"replica {Replica} timed out",
        SealCause.ReplicaFailed => $"replica {Replica} failed",
        SealCause.ReplicaLied => $"replica {Replica} reported records durable beyond what it was sent",
        _ => Cause.ToString(),
    };
}

/// <summary>The causes of a <see cref="SealDecision"/>.</summary>
public enum SealCause
{
    /// <summary>The segment reached <see cref="ReplicationLimits.MaxSize"/>.</summary>
    SizeLimit,

    /// <summary>The segment reached <see cref="ReplicationLimits.MaxAge"/>.</summary>
    AgeLimit,

    /// <summary>A replica did not report the oldest pending append durable within <see cref="ReplicationLimits.ReplicaTimeout"/>.</summary>
    ReplicaTimedOut,

    /// <summary>A replica's stream failed or it refused an append (gap, sealed copy, store error).</summary>
    ReplicaFailed,

    /// <summary>A replica reported an offset durable that it was never sent.</summary>
    ReplicaLied,
}
