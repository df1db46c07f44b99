namespace Xinfra.Simulator.Faults;

/// <summary>The kinds of faults a run injects.</summary>
internal enum FaultKind
{
    /// <summary>Power loss on broker A: unsynced bytes lost or torn; restarts after the duration.</summary>
    Crash,

    /// <summary>Clean stop and restart of every broker in turn (a rolling upgrade).</summary>
    RollingRestart,

    /// <summary>A and B cannot talk, both ways, for the duration.</summary>
    Partition,

    /// <summary>A's messages to B are dropped (B's to A still arrive) for the duration.</summary>
    OneWayPartition,

    /// <summary>Broker A and everyone else are cut apart for the duration.</summary>
    Isolate,

    /// <summary>Broker A's wall clock jumps by B milliseconds (may be negative).</summary>
    ClockJump,

    /// <summary>The next write to broker A's disk fails.</summary>
    DiskWriteError,

    /// <summary>The next WAL fsync of broker A fails.</summary>
    FsyncError,

    /// <summary>Loss, duplication and reordering on every link for the duration.</summary>
    NetworkChaos,
}

/// <summary>One fault of a plan: when, what, on whom, for how long.</summary>
internal sealed record Fault(int Index, long AtTicks, FaultKind Kind, int A, int B, long DurationTicks)
{
    public override string ToString() =>
        $"#{Index} at {AtTicks / TimeSpan.TicksPerMillisecond}ms {Kind} a={A} b={B} for {DurationTicks / TimeSpan.TicksPerMillisecond}ms";
}
