using Xinfra.Simulator.Faults;

namespace Xinfra.Simulator.Runner;

/// <summary>Deliberate bugs a test can switch on to prove the checkers catch them. Never on in real runs.</summary>
internal sealed record BugHooks
{
    /// <summary>The segment leader acknowledges once its own fsync is done, without waiting for the followers.</summary>
    public bool AckBeforeFollowerFsync { get; init; }

    /// <summary>
    /// Sealing an orphaned segment reads the replicas' durable ends without fencing them (what the async engine's
    /// SealOrphanAsync does today): a leader that is alive but unreachable can keep acknowledging past the end.
    /// </summary>
    public bool OrphanSealWithoutFencing { get; init; }

    /// <summary>Consumers silently skip one record in every 500: the "no acknowledged record lost" checker must fire.</summary>
    public bool ConsumerSkipsRecords { get; init; }

    /// <summary>
    /// The group coordinator applies a heartbeat with its processing time, not its arrival time, as the engine did
    /// before GroupState dropped stale heartbeats: a late heartbeat releases ranges its member still reads.
    /// </summary>
    public bool StaleHeartbeatsApplied { get; init; }

    /// <summary>Group members commit 25 records past what they read: records are skipped after a handoff.</summary>
    public bool GroupCommitAhead { get; init; }

    /// <summary>
    /// Group commits carry no lease epoch, as before commits were fenced in the write: a commit is an unconditional
    /// put of the offset (the coordinator still claims epochs), so only the member lease stops a stale commit.
    /// </summary>
    public bool UnfencedCommits { get; init; }

    /// <summary>
    /// The migration cutover without its two checks (as before MigrationCutover.Confirm): a forward cut is adopted
    /// unconfirmed and a deferred member delivers from the source without re-reading the checkpoints.
    /// </summary>
    public bool MigrationWithoutConfirm { get; init; }

    /// <summary>
    /// Group fencing off, as before it existed: a coordinator that takes a group over grants at once (no takeover
    /// grace, keeps a group it redirects) and members read and commit past their lease.
    /// </summary>
    public bool NoGroupFencing { get; init; }

    /// <summary>Replicas drop their copies of sealed segments of the retention topic before metadata deleted them.</summary>
    public bool ReclaimBeforeDelete { get; init; }

    /// <summary>Migration consumers flip to the target without scanning the source for records written before dual writes.</summary>
    public bool MigrationCutWithoutScan { get; init; }

    /// <summary>Migration consumers deliver every record they read, without the cutover's DeliveryFilter.</summary>
    public bool MigrationWithoutFilter { get; init; }

    /// <summary>Migration consumers cut over without waiting until no member of their group is left on the other epoch.</summary>
    public bool MigrationWithoutBarrier { get; init; }

    public bool Any => AckBeforeFollowerFsync || OrphanSealWithoutFencing || ConsumerSkipsRecords || StaleHeartbeatsApplied || GroupCommitAhead || NoGroupFencing || ReclaimBeforeDelete
        || MigrationCutWithoutScan || MigrationWithoutFilter || MigrationWithoutBarrier;
}

/// <summary>What one simulated run does: seed, length, cluster shape, which faults of the plan are kept.</summary>
internal sealed record SimOptions
{
    public required long Seed { get; init; }

    /// <summary>Simulated time during which producers run and faults are injected (faults stop at 70% of it).</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>After producers stop, how long consumers get to read everything acknowledged (liveness bound).</summary>
    public TimeSpan DrainLimit { get; init; } = TimeSpan.FromSeconds(60);

    public int Brokers { get; init; } = 3;

    public int Producers { get; init; } = 2;

    public int Consumers { get; init; } = 2;

    public int Vnodes { get; init; } = 4;

    /// <summary>The <c>events</c> topic has a small retention (age and size), so segments get deleted during the run.</summary>
    public bool Retention { get; init; } = true;

    /// <summary>Consumer groups on the workload topics (each with <see cref="GroupMembers"/> members; 0: none).</summary>
    public int Groups { get; init; } = 2;

    public int GroupMembers { get; init; } = 2;

    /// <summary>
    /// Coordinator-handoff overlaps fail the run (default, since the member lease and the takeover grace fence them);
    /// false (<c>--relaxed-groups</c>) counts them as findings instead.
    /// </summary>
    public bool StrictGroups { get; init; } = true;

    /// <summary>Indexes into the generated fault plan to keep (null: all). Shrinking removes entries.</summary>
    public IReadOnlyList<int>? KeepFaults { get; init; }

    /// <summary>Faults per simulated minute in the generated plan.</summary>
    public int FaultsPerMinute { get; init; } = 8;

    public BugHooks Bugs { get; init; } = new();

    /// <summary>Also run a live migration with phase flips (Workloads/MigrationWorkload).</summary>
    public bool Migration { get; init; }

    /// <summary>Print every trace line (replay).</summary>
    public TextWriter? Echo { get; init; }

    public long ReplicaTimeoutTicks { get; init; } = TimeSpan.FromMilliseconds(250).Ticks;

    public int SegmentMaxRecords { get; init; } = 400;

    public long SegmentMaxAgeTicks { get; init; } = TimeSpan.FromSeconds(8).Ticks;

    public FaultPlan Plan() => FaultPlan.Generate(this);
}
