using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Ring;
using Xinfra.Northguard.Metadata.Service;
using Xinfra.Northguard.Metadata.StateMachine;

namespace Xinfra.Northguard.Tests.Metadata;

public sealed class MetadataServiceTests
{
    private const string Topic = "orders";

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public async Task MetadataOps_VnodeLeaderKilled_NewLeaderResumesFromReplicatedState(int brokers)
    {
        for (int seed = 1; seed <= 5; seed++)
        {
            try
            {
                await RunFailover(brokers, seed);
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"Failed with seed {seed}: {e.Message}", e);
            }
        }
    }

    private static async Task RunFailover(int brokers, int seed)
    {
        using var cluster = new MetadataCluster(brokers, vnodes: 4, seed: seed);
        Assert.True(cluster.PumpUntil(() => Enumerable.Range(0, 4).All(v => cluster.LeaderOf(v) != 0)), "vnodes without leader");
        int vnode = cluster.Ring.VnodeForTopic(Topic);
        ulong leader = cluster.LeaderOf(vnode);

        var created = await cluster.Call(leader, s => s.CreateTopicAsync(Topic, StoragePolicy.Default, 2));
        Assert.Equal(2, created.Ranges.Count);
        await Assert.ThrowsAsync<TopicExistsException>(() => cluster.Call(leader, s => s.CreateTopicAsync(Topic, StoragePolicy.Default, 1)));

        // A follower replica refuses writes with a leader hint, but serves linearizable reads.
        ulong follower = cluster.ReplicasOf(vnode).First(b => b != leader);
        var notLeader = await Assert.ThrowsAsync<NotLeaderException>(() => cluster.Call(follower, s => Wrap(s.DeleteTopicAsync(Topic))));
        Assert.True(notLeader.IsTransient);
        Assert.Equal(leader, notLeader.LeaderHint);
        Assert.Equal(vnode, notLeader.Vnode);
        var fromFollower = await cluster.Call(follower, s => s.DescribeTopicAsync(Topic));
        Assert.Equal(created.Ranges.Select(r => r.Id), fromFollower.Ranges.Select(r => r.Id));

        var range = created.Ranges[0].Id;
        var segment = await cluster.Call(leader, s => s.OpenSegmentAsync(range, [1, 2, 3]));

        // Kill the vnode leader: another replica takes over with the same state and keeps serving.
        cluster.Brokers[leader].Crash();
        Assert.True(cluster.PumpUntil(() => cluster.LeaderOf(vnode) is not 0 and var l && l != leader), "no new leader");
        ulong next = cluster.LeaderOf(vnode);
        await cluster.Call(next, s => Wrap(s.SealSegmentAsync(segment, 500)));
        var children = await cluster.Call(next, s => s.SplitRangeAsync(range, 1UL << 40));
        var after = await cluster.Call(next, s => s.DescribeTopicAsync(Topic));
        Assert.Equal(4, after.Ranges.Count);
        Assert.Equal(SegmentState.Sealed, Assert.Single(after.Segments).State);
        Assert.Equal(500, after.Segments[0].EndOffset);

        // The old leader restarts from its WAL and catches up.
        cluster.Brokers[leader].Start();
        Assert.True(cluster.PumpUntil(() => Describe(cluster, leader, vnode)?.Ranges.Count == 4), "restarted broker did not catch up");
        Assert.Equal(RangeState.Retired, Describe(cluster, leader, vnode)!.Ranges.First(r => r.Id == range).State);

        // Merge the children back and delete the topic; unknown topics are reported as such.
        ulong current = cluster.LeaderOf(vnode);
        await cluster.Call(current, s => s.MergeRangesAsync(children[0], children[1]));
        await cluster.Call(current, s => Wrap(s.DeleteTopicAsync(Topic)));
        await Assert.ThrowsAsync<UnknownTopicException>(() => cluster.Call(current, s => s.DescribeTopicAsync(Topic)));
    }

    [Fact]
    public async Task InvalidRequest_RefusedWithClearError_ChangesNothing()
    {
        using var cluster = new MetadataCluster(3, vnodes: 2, seed: 9);
        Assert.True(cluster.PumpUntil(() => cluster.LeaderOf(0) != 0 && cluster.LeaderOf(1) != 0));
        ulong leader = cluster.LeaderOf(cluster.Ring.VnodeForTopic(Topic));
        var error = await Assert.ThrowsAsync<MetadataRequestException>(
            () => cluster.Call(leader, s => s.CreateTopicAsync(Topic, StoragePolicy.Default with { ReplicationFactor = 0 }, 1)));
        Assert.Contains("ReplicationFactor", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<UnknownTopicException>(() => cluster.Call(leader, s => s.DescribeTopicAsync(Topic)));
    }

    [Fact]
    public async Task DefaultRing_64VnodesOn3Brokers_AllLeadAndTopicsLandOnTheirVnodes()
    {
        using var cluster = new MetadataCluster(3, vnodes: VnodeRing.DefaultCount, seed: 11);
        Assert.True(cluster.PumpUntil(() => Enumerable.Range(0, 64).All(v => cluster.LeaderOf(v) != 0)), "vnodes without leader");
        var router = new MetadataRouter(cluster.Ring, [1, 2, 3], id => cluster.Brokers[id].Service!);
        for (int i = 0; i < 16; i++)
        {
            string topic = $"topic-{i}";
            var task = router.ForTopicAsync(topic, s => s.CreateTopicAsync(topic, StoragePolicy.Default, 1)).AsTask();
            cluster.PumpUntil(() => true);
            var created = await task.WaitAsync(TimeSpan.FromSeconds(30));
            int vnode = cluster.Ring.VnodeForTopic(topic);
            Assert.Equal(vnode, created.Ranges[0].Id.Vnode);
            Assert.Equal(cluster.LeaderOf(vnode), router.CachedLeader(vnode));
        }
    }

    [Fact]
    public async Task VnodeNotHostedHere_NotLeaderWithoutHint()
    {
        using var cluster = new MetadataCluster(5, vnodes: 1, seed: 3);
        var notReplica = cluster.Brokers.Keys.First(b => !cluster.ReplicasOf(0).Contains(b));
        var e = await Assert.ThrowsAsync<NotLeaderException>(() => cluster.Call(notReplica, s => s.DescribeTopicAsync(Topic)));
        Assert.Equal(0UL, e.LeaderHint);
        Assert.Equal(0, e.Vnode);
    }

    private static TopicDescription? Describe(MetadataCluster cluster, ulong broker, int vnode) =>
        cluster.Brokers[broker].Coordinators[vnode].State.Describe(Topic);

    private static async ValueTask<bool> Wrap(ValueTask task)
    {
        await task;
        return true;
    }
}
