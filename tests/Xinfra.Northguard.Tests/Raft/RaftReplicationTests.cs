using System.Text;
using Xinfra.Northguard.Metadata.Raft;
using Xinfra.Northguard.Tests.Raft.Harness;

namespace Xinfra.Northguard.Tests.Raft;

public sealed class RaftReplicationTests
{
    [Fact]
    public void Replication_HealthyCluster_AppliesEveryProposalEverywhereInOrder()
    {
        Seeds.Run(50, seed =>
        {
            var cluster = new SimCluster(seed, 3);
            var applied = new Dictionary<ulong, List<string>>();
            cluster.OnApplied = (node, entry) =>
            {
                if (entry.Data.Length > 0)
                {
                    (applied.TryGetValue(node.Id, out var l) ? l : applied[node.Id] = []).Add(Encoding.UTF8.GetString(entry.Data.Span));
                }
            };
            Assert.True(cluster.RunUntil(() => RaftElectionTests.AllFollow(cluster), 200));
            var leader = cluster.Leader()!;
            var expected = new List<string>();
            for (int i = 0; i < 20; i++)
            {
                string value = $"v{i}";
                Assert.True(cluster.Do(leader.Id, r => r.Propose(Encoding.UTF8.GetBytes(value))).IsAccepted);
                expected.Add(value);
                cluster.Tick();
            }

            Assert.True(cluster.RunUntil(() => cluster.Ids.All(id => applied.GetValueOrDefault(id)?.Count == 20), 100));
            Assert.All(cluster.Ids, id => Assert.Equal(expected, applied[id]));
        });
    }

    [Fact]
    public void Propose_OnFollower_ReturnsNotLeaderWithHint()
    {
        var cluster = new SimCluster(1, 3);
        Assert.True(cluster.RunUntil(() => RaftElectionTests.AllFollow(cluster), 200));
        var leader = cluster.Leader()!;
        ulong follower = cluster.Ids.First(id => id != leader.Id);
        var result = cluster.Do(follower, r => r.Propose(new byte[] { 1 }));
        Assert.Equal(ProposeStatus.NotLeader, result.Status);
        Assert.Equal(leader.Id, result.LeaderHint);
    }

    [Fact]
    public void Commit_EntryFromOldTerm_NotCommittedByCountingReplicas()
    {
        // Raft §5.4.2: a leader commits only entries of its own term by counting replicas. Node 1 (term 3) holds
        // an entry of term 2 that node 2 also holds; node 1 must commit it only with its own no-op.
        var s1 = new MemoryRaftStorage([1, 2, 3]);
        s1.Append([new LogEntry(2, 2, EntryKind.Normal, new byte[] { 9 })]);
        s1.SetHardState(new HardState(2, 0, 1));
        var node = new RaftNode(new RaftOptions { Id = 1, Random = new Random(1), PreVote = false }, s1);
        node.Campaign();
        Persist(node, s1);
        node.Step(new RaftMessage { Type = MessageType.VoteResponse, From = 2, To = 1, Term = 3 });
        Assert.Equal(RaftRole.Leader, node.Role);
        Persist(node, s1);

        // Node 2 acknowledges index 2 (term 2) only: nothing commits.
        node.Step(new RaftMessage { Type = MessageType.AppendResponse, From = 2, To = 1, Term = 3, Index = 2 });
        Assert.Equal(1, node.Committed);
        Persist(node, s1);

        // Node 2 acknowledges the no-op at index 3 (term 3): both commit.
        node.Step(new RaftMessage { Type = MessageType.AppendResponse, From = 2, To = 1, Term = 3, Index = 3 });
        Assert.Equal(3, node.Committed);
    }

    [Fact]
    public void StaleLeader_HearsHigherTermFromFollower_StepsDown()
    {
        var storage = new MemoryRaftStorage([1, 2, 3]);
        var node = new RaftNode(new RaftOptions { Id = 1, Random = new Random(1), PreVote = false }, storage);
        node.Campaign();
        Persist(node, storage);
        node.Step(new RaftMessage { Type = MessageType.VoteResponse, From = 2, To = 1, Term = 2 });
        Assert.Equal(RaftRole.Leader, node.Role);
        Persist(node, storage);
        node.Step(new RaftMessage { Type = MessageType.AppendResponse, From = 3, To = 1, Term = 5 });
        Assert.Equal(RaftRole.Follower, node.Role);
        Assert.Equal(5, node.Term);
    }

    internal static Ready Persist(RaftNode node, MemoryRaftStorage storage)
    {
        var ready = node.GetReady();
        if (ready.Snapshot is { } s)
        {
            storage.ApplySnapshot(s);
        }

        storage.Append(ready.Entries);
        if (ready.HardState is { } hs)
        {
            storage.SetHardState(hs);
        }

        node.Advance();
        return ready;
    }
}
