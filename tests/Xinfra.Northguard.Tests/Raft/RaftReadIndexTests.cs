using Xinfra.Northguard.Metadata.Raft;
using Xinfra.Northguard.Tests.Raft.Harness;

namespace Xinfra.Northguard.Tests.Raft;

public sealed class RaftReadIndexTests
{
    [Fact]
    public void ReadIndex_OnLeaderAndFollower_ConfirmedAtOrAfterLatestCommit()
    {
        Seeds.Run(30, seed =>
        {
            var c = new SimCluster(seed, 3);
            var served = new Dictionary<long, (ulong Node, long Index, long Applied)>();
            c.OnRead = (node, rs) => served[rs.Context] = (node.Id, rs.Index, node.Raft!.Applied);
            Assert.True(c.RunUntil(() => RaftElectionTests.AllFollow(c), 200));
            c.Run(3);
            var leader = c.Leader()!;
            var p = c.Do(leader.Id, r => r.Propose(new byte[] { 1 }));
            Assert.True(c.RunUntil(() => leader.Committed >= p.Index, 50));
            ulong follower = c.Ids.First(id => id != leader.Id);
            Assert.True(c.Do(leader.Id, r => r.ReadIndex(1)).IsAccepted);
            Assert.True(c.Do(follower, r => r.ReadIndex(2)).IsAccepted);
            Assert.True(c.RunUntil(() => served.Count == 2, 50));
            Assert.True(served[1].Index >= p.Index && served[1].Node == leader.Id);
            Assert.True(served[2].Index >= p.Index && served[2].Node == follower);
        });
    }

    [Fact]
    public void ReadIndex_LeaderPartitionedAway_NeverConfirms()
    {
        var c = new SimCluster(5, 3, o => o with { CheckQuorum = false });
        var served = new List<ReadState>();
        c.OnRead = (_, rs) => served.Add(rs);
        Assert.True(c.RunUntil(() => RaftElectionTests.AllFollow(c), 200));
        c.Run(3);
        var leader = c.Leader()!;
        c.Network.Isolate(leader.Id, c.Ids);
        Assert.True(c.Do(leader.Id, r => r.ReadIndex(7)).IsAccepted);
        c.Run(100);
        Assert.Empty(served);
    }

    [Fact]
    public void ReadIndex_NoLeaderKnown_Refused()
    {
        var node = new RaftNode(new RaftOptions { Id = 1, Random = new Random(1) }, new MemoryRaftStorage([1, 2, 3]));
        Assert.Equal(ProposeStatus.NotLeader, node.ReadIndex(1).Status);
        Assert.Throws<ArgumentOutOfRangeException>(() => node.ReadIndex(0));
    }
}
