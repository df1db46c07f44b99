using Xinfra.Northguard.DataPath.Core;

namespace Xinfra.Northguard.Tests.DataPath.Core;

/// <summary>The leader's replication bookkeeping, driven directly: no store, no network, time as a value.</summary>
public sealed class SegmentReplicationCoreTests
{
    private const ulong Leader = 1;
    private static readonly ulong[] Replicas = [Leader, 2, 3];
    private static readonly ReplicationLimits Limits = new(MaxSize: 1000, MaxAge: TimeSpan.FromMinutes(10), ReplicaTimeout: TimeSpan.FromSeconds(1), IdempotenceWindow: 4);

    private static SegmentReplicationCore<string> NewCore(long baseOffset = 100, ReplicationLimits? limits = null) =>
        new(baseOffset, Replicas, Leader, limits ?? Limits, TimeSpan.Zero);

    /// <summary>Admits and appends <paramref name="count"/> records at the core's end.</summary>
    private static SealDecision? Append(SegmentReplicationCore<string> core, string token, ulong producer, long sequence, int count, long size = 10, double atSeconds = 0)
    {
        var now = TimeSpan.FromSeconds(atSeconds);
        Assert.Equal(AdmissionKind.Append, core.Admit(token, producer, sequence, now).Kind);
        return core.OnAppended(token, producer, sequence, core.AppendedEnd, core.AppendedEnd + count, size, now);
    }

    [Fact]
    public void OnDurable_AllButOneReplicaDurable_NothingAcked()
    {
        var core = NewCore();
        Append(core, "a", producer: 7, sequence: 0, count: 3);

        Assert.Empty(core.OnDurable(Leader, 103).Committed);
        Assert.Empty(core.OnDurable(2, 103).Committed);

        Assert.Equal(100, core.Committed);
        Assert.True(core.HasPending);
    }

    [Fact]
    public void OnDurable_EveryReplicaDurable_AcksInAppendOrderUpToTheMinimum()
    {
        var core = NewCore();
        Append(core, "a", 7, 0, 3);
        Append(core, "b", 7, 1, 2);
        Append(core, "c", 8, 0, 1);
        core.OnDurable(Leader, 106);
        core.OnDurable(2, 106);

        var outcome = core.OnDurable(3, 105);

        Assert.Equal(DurableVerdict.Recorded, outcome.Verdict);
        Assert.Equal(["a", "b"], outcome.Committed.Select(c => c.Token));
        Assert.Equal([100L, 103L], outcome.Committed.Select(c => c.BaseOffset));
        Assert.Equal(105, core.Committed);
        Assert.Equal(["c"], core.OnDurable(3, 106).Committed.Select(c => c.Token));
        Assert.False(core.HasPending);
    }

    [Fact]
    public void OnDurable_StaleReport_Ignored()
    {
        var core = NewCore();
        Append(core, "a", 7, 0, 3);
        core.OnDurable(2, 103);

        Assert.Equal(DurableVerdict.Ignored, core.OnDurable(2, 102).Verdict);
        Assert.Equal(103, core.DurableEnd(2));
    }

    [Fact]
    public void OnDurable_FollowerReportsBeyondWhatItWasSent_LiedAndNotCounted()
    {
        var core = NewCore();
        Append(core, "a", 7, 0, 3);
        core.OnDurable(Leader, 103);
        core.OnDurable(3, 103);

        var outcome = core.OnDurable(2, 104);

        Assert.Equal(DurableVerdict.Lied, outcome.Verdict);
        Assert.Empty(outcome.Committed);
        Assert.Equal(100, core.DurableEnd(2));
        Assert.Equal(100, core.Committed);
    }

    [Fact]
    public void OnDurable_UnknownReplica_Throws()
    {
        var core = NewCore();

        Assert.Throws<ArgumentException>(() => core.OnDurable(9, 101));
    }

    [Fact]
    public void Seal_StopsAdmissionAndAcks_ReturnsCommittedEndAndWaitingProducers()
    {
        var core = NewCore();
        Append(core, "a", 7, 0, 3);
        Append(core, "b", 7, 1, 2);
        foreach (ulong replica in Replicas)
        {
            core.OnDurable(replica, 103);
        }

        var seal = core.Seal();

        Assert.True(seal.Started);
        Assert.Equal(103, seal.End);
        Assert.Equal(["b"], seal.Unacknowledged.Select(p => p.Token));
        Assert.Equal(AdmissionKind.Sealed, core.Admit("c", 7, 2, TimeSpan.Zero).Kind);
        foreach (ulong replica in Replicas)
        {
            Assert.Equal(DurableVerdict.Ignored, core.OnDurable(replica, 105).Verdict);
        }

        Assert.Equal(103, core.Committed);
        Assert.False(core.Seal().Started);
        Assert.Null(core.Tick(TimeSpan.FromHours(1)));
        Assert.Null(core.OnReplicaFailed(2));
    }

    [Fact]
    public void Admit_ResendOfCommittedAppend_DuplicateCommittedWithOriginalOffsets()
    {
        var core = NewCore();
        Append(core, "a", 7, 0, 3);
        Append(core, "b", 7, 1, 2);
        foreach (ulong replica in Replicas)
        {
            core.OnDurable(replica, 105);
        }

        var admission = core.Admit("again", 7, 0, TimeSpan.Zero);

        Assert.Equal(new Admission(AdmissionKind.DuplicateCommitted, 0, 100, 103), admission);
        Assert.False(core.HasPending);
        Assert.Equal(105, core.AppendedEnd);
    }

    [Fact]
    public void Admit_ResendOfPendingAppend_AckedWithTheOriginalOnCommit()
    {
        var core = NewCore();
        Append(core, "a", 7, 0, 3);

        var admission = core.Admit("retry", 7, 0, TimeSpan.Zero);
        foreach (ulong replica in Replicas.Take(2))
        {
            core.OnDurable(replica, 103);
        }

        var committed = core.OnDurable(3, 103).Committed;

        Assert.Equal(AdmissionKind.DuplicatePending, admission.Kind);
        Assert.Equal([("a", 100L), ("retry", 100L)], committed.Select(c => (c.Token, c.BaseOffset)));
    }

    [Fact]
    public void Admit_SequenceSkipsAhead_GapNamingTheExpectedSequence()
    {
        var core = NewCore();
        Append(core, "a", 7, 5, 1);

        var admission = core.Admit("b", 7, 7, TimeSpan.Zero);

        Assert.Equal(AdmissionKind.Gap, admission.Kind);
        Assert.Equal(6, admission.ExpectedSequence);
    }

    [Fact]
    public void Admit_ResendOlderThanTheWindow_Gap()
    {
        var core = NewCore();
        for (int sequence = 0; sequence < 6; sequence++)
        {
            Append(core, "a", 7, sequence, 1);
        }

        Assert.Equal(AdmissionKind.Gap, core.Admit("old", 7, 1, TimeSpan.Zero).Kind);
        Assert.Equal(AdmissionKind.DuplicatePending, core.Admit("recent", 7, 2, TimeSpan.Zero).Kind);
    }

    [Fact]
    public void InitProducer_StoredAppendsOfPreviousSegment_AnsweredAsCommittedResends()
    {
        var core = NewCore();

        core.InitProducer(7, firstSequence: 3, stored: [(3, 90), (4, 95), (6, 98)]);

        Assert.True(core.HasProducer(7));
        Assert.Equal(new Admission(AdmissionKind.DuplicateCommitted, 0, 95, 100), core.Admit("r", 7, 4, TimeSpan.Zero));
        Assert.Equal(AdmissionKind.Gap, core.Admit("r", 7, 2, TimeSpan.Zero).Kind);
        Assert.Equal(AdmissionKind.Append, core.Admit("n", 7, 5, TimeSpan.Zero).Kind);
    }

    [Fact]
    public void InitProducer_KnownProducer_OnlySkipsAhead()
    {
        var core = NewCore();
        Append(core, "a", 7, 0, 1);

        core.InitProducer(7, firstSequence: 4, stored: []);

        Assert.Equal(AdmissionKind.Append, core.Admit("b", 7, 4, TimeSpan.Zero).Kind);
        Assert.Equal(AdmissionKind.DuplicatePending, core.Admit("c", 7, 0, TimeSpan.Zero).Kind);
    }

    [Fact]
    public void OnAppended_ReachesMaxSize_SizeLimitSeal()
    {
        var core = NewCore();

        Assert.Null(Append(core, "a", 7, 0, 1, size: 600));
        Assert.Equal(new SealDecision(SealCause.SizeLimit, 0), Append(core, "b", 7, 1, 1, size: 400));
    }

    [Fact]
    public void OnAppended_NotAtTheEnd_Throws()
    {
        var core = NewCore();

        Assert.Throws<ArgumentException>(() => core.OnAppended("a", 7, 0, 101, 102, 1, TimeSpan.Zero));
    }

    [Fact]
    public void Tick_AgeReached_AgeLimitSeal()
    {
        var core = NewCore();

        Assert.Null(core.Tick(TimeSpan.FromMinutes(9)));
        Assert.Equal(SealCause.AgeLimit, core.Tick(TimeSpan.FromMinutes(10))?.Cause);
    }

    [Fact]
    public void Tick_OldestAppendWaitedTooLong_NamesTheReplicaBehind()
    {
        var core = NewCore();
        Append(core, "a", 7, 0, 3, atSeconds: 2);
        core.OnDurable(Leader, 103);
        core.OnDurable(2, 103);

        Assert.Null(core.Tick(TimeSpan.FromSeconds(2.9)));
        Assert.Equal(new SealDecision(SealCause.ReplicaTimedOut, 3), core.Tick(TimeSpan.FromSeconds(3)));
        Assert.Equal("replica 3 timed out", core.Tick(TimeSpan.FromSeconds(3)).ToString());
    }

    [Fact]
    public void Tick_NothingPending_NoTimeout()
    {
        var core = NewCore();
        Append(core, "a", 7, 0, 1);
        foreach (ulong replica in Replicas)
        {
            core.OnDurable(replica, 101);
        }

        Assert.Null(core.Tick(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void OnReplicaFailed_WhileOpen_ReplicaFailedSeal()
    {
        var core = NewCore();

        Assert.Equal(new SealDecision(SealCause.ReplicaFailed, 2), core.OnReplicaFailed(2));
        Assert.Throws<ArgumentException>(() => core.OnReplicaFailed(9));
    }

    [Fact]
    public void Constructor_LeaderNotAReplica_Throws()
    {
        Assert.Throws<ArgumentException>(() => new SegmentReplicationCore<string>(0, [2, 3], Leader, Limits, TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SegmentReplicationCore<string>(0, Replicas, Leader, Limits with { MaxSize = 0 }, TimeSpan.Zero));
    }
}
