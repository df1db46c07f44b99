using Xinfra.Northguard.Metadata.Raft;
using Xinfra.Northguard.Tests.Raft.Harness;

namespace Xinfra.Northguard.Tests.Raft;

public sealed class RaftElectionTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    public void Election_HealthyCluster_ElectsExactlyOneLeaderKnownToAll(int size)
    {
        Seeds.Run(100, seed =>
        {
            var cluster = new SimCluster(seed, size);
            Assert.True(cluster.RunUntil(() => AllFollow(cluster), 200), "no stable leader");
            var leader = cluster.Leader()!;
            Assert.Equal(1, cluster.Ids.Count(id => cluster.Raft(id).Role == RaftRole.Leader));
            Assert.All(cluster.Ids, id => Assert.Equal(leader.Id, cluster.Raft(id).Leader));
        });
    }

    [Fact]
    public void Election_LossyNetwork_StillElectsAndTermsStayLow()
    {
        Seeds.Run(100, seed =>
        {
            var cluster = new SimCluster(seed, 5);
            cluster.Network.Faults = NetworkFaults.Lossy;
            Assert.True(cluster.RunUntil(() => AllFollow(cluster), 500), "no stable leader");
        });
    }

    [Fact]
    public void PreVote_IsolatedFollower_DoesNotRaiseTermNorDisruptLeaderOnReturn()
    {
        Seeds.Run(50, seed =>
        {
            var cluster = new SimCluster(seed, 3);
            Assert.True(cluster.RunUntil(() => AllFollow(cluster), 200));
            var leader = cluster.Leader()!;
            long term = leader.Term;
            ulong isolated = cluster.Ids.First(id => id != leader.Id);
            cluster.Network.Isolate(isolated, cluster.Ids);
            cluster.Run(100);
            Assert.Equal(term, cluster.Raft(isolated).Term);
            cluster.Network.HealAll();
            cluster.Run(50);
            Assert.Same(leader, cluster.Leader());
            Assert.Equal(term, leader.Term);
        });
    }

    [Fact]
    public void WithoutPreVote_IsolatedFollower_RaisesItsTerm()
    {
        // The control for the test above: it can fail, because without pre-vote the term does grow.
        var cluster = new SimCluster(7, 3, o => o with { PreVote = false });
        Assert.True(cluster.RunUntil(() => AllFollow(cluster), 200));
        var leader = cluster.Leader()!;
        ulong isolated = cluster.Ids.First(id => id != leader.Id);
        cluster.Network.Isolate(isolated, cluster.Ids);
        cluster.Run(100);
        Assert.True(cluster.Raft(isolated).Term > leader.Term);
    }

    [Fact]
    public void Vote_GrantedOnlyToUpToDateLog()
    {
        var storage = new MemoryRaftStorage([1, 2]);
        storage.Append([new LogEntry(2, 3, EntryKind.Normal, new byte[] { 1 })]);
        storage.SetHardState(new HardState(3, 0, 1));
        var node = new RaftNode(new RaftOptions { Id = 1, Random = new Random(1) }, storage);

        node.Step(new RaftMessage { Type = MessageType.Vote, From = 2, To = 1, Term = 4, Index = 5, LogTerm = 2 });
        var ready = node.GetReady();
        Assert.True(Assert.Single(ready.Messages).Reject);
        Assert.Equal(new HardState(4, 0, 1), ready.HardState);
        node.Advance();

        node.Step(new RaftMessage { Type = MessageType.Vote, From = 2, To = 1, Term = 4, Index = 2, LogTerm = 3 });
        ready = node.GetReady();
        Assert.False(Assert.Single(ready.Messages).Reject);
        Assert.Equal(2UL, ready.HardState!.Value.Vote);
        Assert.True(ready.MustSync);
        node.Advance();
    }

    [Fact]
    public void Step_BetweenGetReadyAndAdvance_Throws()
    {
        var node = new RaftNode(new RaftOptions { Id = 1, Random = new Random(1) }, new MemoryRaftStorage([1]));
        node.Campaign();
        _ = node.GetReady();
        Assert.Throws<InvalidOperationException>(node.Tick);
        node.Advance();
        node.Tick();
    }

    internal static bool AllFollow(SimCluster cluster)
    {
        var leader = cluster.Leader();
        if (leader is null)
        {
            return false;
        }

        foreach (var node in cluster.Nodes.Values)
        {
            if (node.Raft is { } r && (r.Leader != leader.Id || r.Term != leader.Term))
            {
                return false;
            }
        }

        return true;
    }
}
