using Xinfra.Northguard.Metadata.Raft;
using Xinfra.Northguard.Tests.Raft.Harness;

namespace Xinfra.Northguard.Tests.Raft;

public sealed class RaftLeadershipTransferTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Transfer_ToUpToDateOrLaggingFollower_TargetLeadsNextTerm(bool lagging)
    {
        Seeds.Run(50, seed =>
        {
            var c = new SimCluster(seed, 3);
            Assert.True(c.RunUntil(() => RaftElectionTests.AllFollow(c), 200));
            var leader = c.Leader()!;
            long term = leader.Term;
            ulong target = c.Ids.First(id => id != leader.Id);
            if (lagging)
            {
                c.Network.Isolate(target, c.Ids);
                for (int i = 0; i < 5; i++)
                {
                    c.Do(leader.Id, r => r.Propose(new byte[] { (byte)i }));
                }

                c.Run(3);
                c.Network.HealAll();
            }

            Assert.True(c.Do(leader.Id, r => r.TransferLeadership(target)).IsAccepted);
            Assert.Equal(ProposeStatus.TransferInProgress, c.Do(leader.Id, r => r.Propose(new byte[] { 1 })).Status);
            Assert.True(c.RunUntil(() => c.Leader() is { } l && l.Id == target, 60), "transfer did not complete");
            Assert.True(c.Raft(target).Term > term);
            Assert.True(c.RunUntil(() => RaftElectionTests.AllFollow(c), 100));
        });
    }

    [Fact]
    public void Transfer_TargetUnreachable_AbortsAfterElectionTimeoutAndLeaderAcceptsAgain()
    {
        var c = new SimCluster(3, 3);
        Assert.True(c.RunUntil(() => RaftElectionTests.AllFollow(c), 200));
        var leader = c.Leader()!;
        ulong target = c.Ids.First(id => id != leader.Id);
        c.Network.Isolate(target, c.Ids);
        Assert.True(c.Do(leader.Id, r => r.TransferLeadership(target)).IsAccepted);
        Assert.True(c.RunUntil(() => leader.LeadTransferee == 0, 30));
        Assert.Equal(RaftRole.Leader, leader.Role);
        Assert.True(c.Do(leader.Id, r => r.Propose(new byte[] { 1 })).IsAccepted);
    }

    [Fact]
    public void Transfer_ToSelfOrNonVoter_IsInvalid()
    {
        var c = new SimCluster(1, 3);
        Assert.True(c.RunUntil(() => RaftElectionTests.AllFollow(c), 200));
        var leader = c.Leader()!;
        Assert.Equal(ProposeStatus.Invalid, c.Do(leader.Id, r => r.TransferLeadership(leader.Id)).Status);
        Assert.Equal(ProposeStatus.Invalid, c.Do(leader.Id, r => r.TransferLeadership(99)).Status);
    }
}
