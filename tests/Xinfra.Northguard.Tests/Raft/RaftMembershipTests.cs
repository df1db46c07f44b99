using Xinfra.Northguard.Metadata.Raft;
using Xinfra.Northguard.Tests.Raft.Harness;

namespace Xinfra.Northguard.Tests.Raft;

public sealed class RaftMembershipTests
{
    [Fact]
    public void AddServerThenRemoveLeader_OneAtATime_ClusterKeepsCommitting()
    {
        Seeds.Run(50, seed =>
        {
            var c = new SimCluster(seed, 3) { CompactEvery = seed % 2 == 0 ? 4 : 0 };
            Assert.True(c.RunUntil(() => RaftElectionTests.AllFollow(c), 200));
            for (int i = 0; i < 10; i++)
            {
                c.Do(c.Leader()!.Id, r => r.Propose(new byte[] { (byte)i }));
            }

            c.AddNode(4, new MemoryRaftStorage());
            Assert.False(c.Raft(4).IsPromotable);
            var leader = c.Leader()!;
            var add = c.Do(leader.Id, r => r.ProposeConfChange(new ConfChange(ConfChangeType.AddNode, 4)));
            Assert.True(add.IsAccepted);
            Assert.Equal(ProposeStatus.ConfChangePending,
                c.Do(leader.Id, r => r.ProposeConfChange(new ConfChange(ConfChangeType.RemoveNode, 2))).Status);
            Assert.True(c.RunUntil(() => c.Ids.All(id => c.Raft(id).Voters.Contains(4UL)), 200), "node 4 not added everywhere");
            Assert.True(c.Raft(4).IsPromotable);

            leader = c.Leader()!;
            var remove = c.Do(leader.Id, r => r.ProposeConfChange(new ConfChange(ConfChangeType.RemoveNode, leader.Id)));
            Assert.True(remove.IsAccepted, remove.Status.ToString());
            ulong removed = leader.Id;
            Assert.True(c.RunUntil(() => c.Leader() is { } l && l.Id != removed && !l.Voters.Contains(removed), 300), "no leader without the removed node");
            Assert.False(c.Raft(removed).IsPromotable);
            var next = c.Leader()!;
            var p = c.Do(next.Id, r => r.Propose(new byte[] { 0xAA }));
            Assert.True(p.IsAccepted);
            Assert.True(c.RunUntil(() => c.Checker.WasCommitted(p.Index, p.Term), 100));
            Assert.Equal(3, next.Voters.Count);
            c.CheckLogs();
        });
    }

    [Fact]
    public void ConfChange_Invalid_Refused()
    {
        var c = new SimCluster(1, 3);
        Assert.True(c.RunUntil(() => RaftElectionTests.AllFollow(c), 200));
        var leader = c.Leader()!;
        c.Run(3);
        Assert.Equal(ProposeStatus.Invalid, c.Do(leader.Id, r => r.ProposeConfChange(new ConfChange(ConfChangeType.AddNode, 2))).Status);
        Assert.Equal(ProposeStatus.Invalid, c.Do(leader.Id, r => r.ProposeConfChange(new ConfChange(ConfChangeType.RemoveNode, 9))).Status);
        ulong follower = c.Ids.First(id => id != leader.Id);
        Assert.Equal(ProposeStatus.NotLeader, c.Do(follower, r => r.ProposeConfChange(new ConfChange(ConfChangeType.AddNode, 9))).Status);
    }

    [Fact]
    public void ConfChange_EncodeDecode_RoundTripsAndRejectsGarbage()
    {
        var cc = new ConfChange(ConfChangeType.RemoveNode, 0x0102030405060708);
        Assert.Equal(cc, ConfChange.Decode(cc.Encode()));
        Assert.Throws<FormatException>(() => ConfChange.Decode(new byte[] { 9, 0, 0, 0, 0, 0, 0, 0, 0 }));
        Assert.Throws<FormatException>(() => ConfChange.Decode(new byte[] { 1 }));
    }
}
