using Xinfra.Northguard.Groups;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Ring;

namespace Xinfra.IntegrationTests.Northguard;

/// <summary>The coordinator's group state on its own, with a manual clock: handover order, splits and expiry.</summary>
public sealed class GroupStateTests
{
    private static readonly IReadOnlyList<RangeInfo> FourRanges = [Range(1), Range(2), Range(3), Range(4)];

    [Fact]
    public void Heartbeat_MovedRange_IsGrantedOnlyAfterTheOldOwnerReleasedIt()
    {
        var clock = new ManualClock();
        var group = new GroupState("g", "t");
        group.Join("a", TimeSpan.FromSeconds(10), clock.GetTimestamp());
        var (_, grantedA) = group.Heartbeat("a", [], FourRanges, clock.GetTimestamp());
        Assert.Equal([1UL, 2, 3, 4], grantedA);

        group.Join("b", TimeSpan.FromSeconds(10), clock.GetTimestamp());
        Assert.Equal(2, group.Generation);
        var (targetB, grantedB) = group.Heartbeat("b", [], FourRanges, clock.GetTimestamp());
        Assert.Equal([2UL, 4], targetB);
        Assert.Empty(grantedB);

        var (targetA, _) = group.Heartbeat("a", [1, 2, 3, 4], FourRanges, clock.GetTimestamp());
        Assert.Equal([1UL, 3], targetA);
        group.Heartbeat("a", [1, 3], FourRanges, clock.GetTimestamp());
        (_, grantedB) = group.Heartbeat("b", [], FourRanges, clock.GetTimestamp());
        Assert.Equal([2UL, 4], grantedB);
    }

    [Fact]
    public void Release_OfAGrantWhoseLeaseClaimFailed_FreesTheRangeOnlyForItsOwner()
    {
        // The coordinator releases a granted range whose lease epoch it could not claim, so it can be granted again.
        var clock = new ManualClock();
        var group = new GroupState("g", "t");
        group.Join("a", TimeSpan.FromSeconds(10), clock.GetTimestamp());
        Assert.Equal([1UL, 2, 3, 4], group.Heartbeat("a", [], FourRanges, clock.GetTimestamp()).Granted);
        group.Join("b", TimeSpan.FromSeconds(10), clock.GetTimestamp());

        group.Release("b", 2); // Not b's range: a still owns it.
        Assert.Empty(group.Heartbeat("b", [], FourRanges, clock.GetTimestamp()).Granted);

        group.Release("a", 2);
        Assert.Equal([2UL], group.Heartbeat("b", [], FourRanges, clock.GetTimestamp()).Granted);
    }

    [Fact]
    public void CompleteGrant_AfterTheRangeWentToAnotherMemberDuringTheClaim_IsNotSentAndLeavesTheNewOwner()
    {
        // Simulator seed 232: a grant to a waited for its lease claim; meanwhile a's heartbeat said it holds nothing,
        // the range was freed and granted to b. a's finished claim must not be sent, and b keeps the range.
        var clock = new ManualClock();
        var group = new GroupState("g", "t");
        group.Join("a", TimeSpan.FromSeconds(10), clock.GetTimestamp());
        Assert.Equal([1UL, 2, 3, 4], group.Heartbeat("a", [], FourRanges, clock.GetTimestamp()).Granted);
        group.Join("b", TimeSpan.FromSeconds(10), clock.GetTimestamp());
        group.Release("a", 2); // a's claim of range 2 failed on an earlier heartbeat: freed
        Assert.Equal([2UL], group.Heartbeat("b", [], FourRanges, clock.GetTimestamp()).Granted);

        Assert.False(group.CompleteGrant("a", 2, claimed: true));
        Assert.True(group.CompleteGrant("b", 2, claimed: true));
        Assert.True(group.CompleteGrant("a", 1, claimed: true));
        Assert.False(group.CompleteGrant("a", 3, claimed: false)); // a failed claim frees a's own range
        Assert.False(group.CompleteGrant("a", 3, claimed: true)); // freed: no longer a's
    }

    [Fact]
    public void Heartbeat_DuringTakeoverGrace_GrantsNothingUntilThePreviousLeasesExpired()
    {
        // A new coordinator (restart or move) knows nothing of the grants of the previous one, whose members keep
        // reading until their lease (one session timeout after their last acknowledged heartbeat) runs out.
        var clock = new ManualClock();
        var session = TimeSpan.FromSeconds(10);
        var group = new GroupState("g", "t");
        group.Join("rejoined", session, clock.GetTimestamp());
        group.WithholdGrantsUntil(clock.GetTimestamp() + GroupState.TakeoverGrace(session).Ticks);

        var (target, granted) = group.Heartbeat("rejoined", [], FourRanges, clock.GetTimestamp());
        Assert.Equal([1UL, 2, 3, 4], target);
        Assert.Empty(granted);

        clock.Advance(session);
        Assert.Empty(group.Heartbeat("rejoined", [], FourRanges, clock.GetTimestamp()).Granted);

        clock.Advance(GroupState.TakeoverGrace(session) - session);
        Assert.Equal([1UL, 2, 3, 4], group.Heartbeat("rejoined", [], FourRanges, clock.GetTimestamp()).Granted);
    }

    [Fact]
    public void WithholdGrantsUntil_NeverShortensTheGrace()
    {
        var group = new GroupState("g", "t");
        group.WithholdGrantsUntil(500);
        group.WithholdGrantsUntil(100);
        Assert.Equal(500, group.GrantsFrom);
        Assert.True(GroupState.TakeoverGrace(TimeSpan.FromSeconds(3)) > TimeSpan.FromSeconds(3));
    }

    [Fact]
    public void LongestSessionTimeout_IsWhatALiveViewChangeGraceCovers()
    {
        // On a view change the coordinator withholds grants for the longest session of the group's members.
        var group = new GroupState("g", "t");
        Assert.Equal(TimeSpan.Zero, group.LongestSessionTimeout);
        group.Join("a", TimeSpan.FromSeconds(3), 0);
        group.Join("b", TimeSpan.FromSeconds(10), 0);
        Assert.Equal(TimeSpan.FromSeconds(10), group.LongestSessionTimeout);
        Assert.Equal(TimeSpan.FromSeconds(11), GroupState.TakeoverGrace(group.LongestSessionTimeout));
    }

    [Fact]
    public void Heartbeat_SplitChildren_FollowTheMemberOfTheirParent()
    {
        var clock = new ManualClock();
        var group = new GroupState("g", "t");
        group.Join("a", TimeSpan.FromSeconds(10), clock.GetTimestamp());
        group.Join("b", TimeSpan.FromSeconds(10), clock.GetTimestamp());
        IReadOnlyList<RangeInfo> ranges = [Range(1), Range(2), Range(5, 1), Range(6, 1), Range(7, 6)];

        var (targetA, _) = group.Heartbeat("a", [], ranges, clock.GetTimestamp());
        var (targetB, _) = group.Heartbeat("b", [], ranges, clock.GetTimestamp());

        Assert.Equal([1UL, 5, 6, 7], targetA);
        Assert.Equal([2UL], targetB);
    }

    [Fact]
    public void Heartbeat_MergedChild_JoinsBothParentsFamiliesOnOneMember()
    {
        var clock = new ManualClock();
        var group = new GroupState("g", "t");
        group.Join("a", TimeSpan.FromSeconds(10), clock.GetTimestamp());
        group.Join("b", TimeSpan.FromSeconds(10), clock.GetTimestamp());
        IReadOnlyList<RangeInfo> ranges = [Range(1), Range(2), Range(3), Range(4), Range(9, 2, 3), Range(10, 9)];

        var (targetA, _) = group.Heartbeat("a", [], ranges, clock.GetTimestamp());
        var (targetB, _) = group.Heartbeat("b", [], ranges, clock.GetTimestamp());

        // Families {1}, {2, 3, 9, 10}, {4}: dealt by their smallest id, so a holds 1 and 4, b the merged family.
        Assert.Equal([1UL, 4], targetA);
        Assert.Equal([2UL, 3, 9, 10], targetB);
    }

    [Fact]
    public void Expired_MemberThatMissedItsHeartbeats_IsExpelledAndFreesItsRanges()
    {
        var clock = new ManualClock();
        var group = new GroupState("g", "t");
        group.Join("a", TimeSpan.FromSeconds(10), clock.GetTimestamp());
        group.Join("b", TimeSpan.FromSeconds(10), clock.GetTimestamp());
        group.Heartbeat("a", [], FourRanges, clock.GetTimestamp());

        clock.Advance(TimeSpan.FromSeconds(6));
        group.Heartbeat("b", [], FourRanges, clock.GetTimestamp());
        clock.Advance(TimeSpan.FromSeconds(6));
        var expired = group.Expired(clock, clock.GetTimestamp());

        Assert.Equal(["a"], expired);
        Assert.True(group.Leave("a"));
        Assert.Equal(1, group.MemberCount);
        var (target, granted) = group.Heartbeat("b", [], FourRanges, clock.GetTimestamp());
        Assert.Equal([1UL, 2, 3, 4], target);
        Assert.Equal([1UL, 2, 3, 4], granted);
    }

    [Fact]
    public void Heartbeat_StaleOneAppliedLate_DoesNotReleaseRangesTheMemberHolds()
    {
        // Found by the simulator (seed 15, 30 s): a heartbeat waited in the coordinator's describe while a newer one
        // of the same member was applied and granted; applied late, its old held set released ranges the member was
        // reading, and a rebalance then granted them to another member at once.
        var clock = new ManualClock();
        var group = new GroupState("g", "t");
        group.Join("a", TimeSpan.FromSeconds(10), clock.GetTimestamp());
        long staleArrival = clock.GetTimestamp();
        clock.Advance(TimeSpan.FromMilliseconds(300));
        var (_, granted) = group.Heartbeat("a", [], FourRanges, clock.GetTimestamp(), clock.GetTimestamp());
        Assert.Equal([1UL, 2, 3, 4], granted);

        group.Join("b", TimeSpan.FromSeconds(10), clock.GetTimestamp());
        clock.Advance(TimeSpan.FromMilliseconds(10));
        var (staleTarget, staleGranted) = group.Heartbeat("a", [], FourRanges, clock.GetTimestamp(), staleArrival);
        var (_, grantedB) = group.Heartbeat("b", [], FourRanges, clock.GetTimestamp());

        Assert.Equal([1UL, 3], staleTarget);
        Assert.Empty(staleGranted);
        Assert.Empty(grantedB); // a still holds 2 and 4 until a fresh heartbeat of a releases them.
        group.Heartbeat("a", [1, 3], FourRanges, clock.GetTimestamp());
        (_, grantedB) = group.Heartbeat("b", [], FourRanges, clock.GetTimestamp());
        Assert.Equal([2UL, 4], grantedB);
    }

    [Fact]
    public void Heartbeat_ThatArrivedBeforeTheJoin_IsStale()
    {
        var clock = new ManualClock();
        var group = new GroupState("g", "t");
        long arrival = clock.GetTimestamp();
        clock.Advance(TimeSpan.FromMilliseconds(5));
        group.Join("a", TimeSpan.FromSeconds(10), clock.GetTimestamp());

        var (target, granted) = group.Heartbeat("a", [], FourRanges, clock.GetTimestamp(), arrival);

        Assert.Equal([1UL, 2, 3, 4], target);
        Assert.Empty(granted);
    }

    [Fact]
    public void Seen_HeartbeatWaitingForTheTopic_KeepsTheMemberAlive()
    {
        // Found by the simulator (seed 6, 60 s, fault 0): a one-way partition stalled the coordinator's topic reads
        // for longer than the session timeout; every member heartbeating meanwhile was expelled as silent.
        var clock = new ManualClock();
        var group = new GroupState("g", "t");
        group.Join("a", TimeSpan.FromSeconds(3), clock.GetTimestamp());
        clock.Advance(TimeSpan.FromSeconds(2));
        group.Seen("a", clock.GetTimestamp());
        clock.Advance(TimeSpan.FromSeconds(2));

        Assert.Empty(group.Expired(clock, clock.GetTimestamp()));
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(["a"], group.Expired(clock, clock.GetTimestamp()));
    }

    private static RangeInfo Range(ulong id, params ulong[] parents) =>
        new(new RangeId(id), "t", 0, ulong.MaxValue, RangeState.Active, [.. parents.Select(p => new RangeId(p))], [], 0);

    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
