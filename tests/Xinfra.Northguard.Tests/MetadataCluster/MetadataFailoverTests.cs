using Microsoft.Extensions.DependencyInjection;
using Xinfra.Northguard.Metadata.Hosting;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Service;

namespace Xinfra.Northguard.Tests.MetadataCluster;

public sealed class MetadataFailoverTests
{
    private static readonly StoragePolicy Policy = StoragePolicy.Default with { ReplicationFactor = 2 };

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public async Task VnodeLeaderBrokerStopped_OperationsContinue_NothingAcknowledgedLost_RestartedBrokerCatchesUp(int brokers)
    {
        await using var cluster = await MetadataClusterHarness.StartAsync(brokers);
        using var client = MetadataClusterHarness.Client(cluster);
        const int vnode = 3;
        var before = MetadataClusterHarness.TopicsOnVnode(vnode, "before", 5);
        var after = MetadataClusterHarness.TopicsOnVnode(vnode, "after", 5);
        var acknowledged = new List<string>();
        foreach (string topic in before)
        {
            await client.CreateTopicAsync(topic, Policy, 2);
            acknowledged.Add(topic);
        }

        var range = (await client.DescribeTopicAsync(before[0])).Ranges[0].Id;
        var segment = await client.OpenSegmentAsync(range, [1, 2]);
        await client.SetAclAsync(before[0], "app", AclOperations.Produce | AclOperations.Consume);

        ulong leader = await MetadataClusterHarness.LeaderOfAsync(cluster, vnode);
        Assert.NotEqual(0UL, leader);
        await cluster.StopBrokerAsync(leader);

        // The survivors stop hearing its heartbeats: the directory marks it not live.
        var survivor = cluster.Brokers[0].Services.GetRequiredService<IBrokerDirectory>();
        await Eventually(() => Task.FromResult(survivor.Brokers.Single(b => b.Id == leader).IsLive
            ? throw new MetadataRequestException("still live") : true));
        Assert.DoesNotContain(survivor.LiveBrokers, b => b.Id == leader);

        // The vnode re-elects among the survivors; the client finds the new leader.
        foreach (string topic in after)
        {
            await client.CreateTopicAsync(topic, Policy, 1);
            acknowledged.Add(topic);
        }

        await client.SealSegmentAsync(segment, 42);
        ulong newLeader = await MetadataClusterHarness.LeaderOfAsync(cluster, vnode);
        Assert.NotEqual(0UL, newLeader);
        Assert.NotEqual(leader, newLeader);

        foreach (string topic in acknowledged)
        {
            Assert.Equal(topic, (await client.DescribeTopicAsync(topic)).Topic.Name);
        }

        var sealedSegment = (await client.DescribeTopicAsync(before[0])).Segments.Single(s => s.Id == segment);
        Assert.Equal((SegmentState.Sealed, 42L), (sealedSegment.State, sealedSegment.EndOffset));
        Assert.Equal(AclOperations.Produce | AclOperations.Consume, await client.GetAclAsync(before[0], "app"));

        // The restarted broker resumes from its WAL and catches up: its own replica serves the latest writes.
        var restarted = await cluster.RestartBrokerAsync(leader);
        var local = restarted.Services.GetRequiredService<LocalMetadataService>();
        var last = await Eventually(() => local.DescribeTopicAsync(after[^1]).AsTask());
        Assert.Equal(after[^1], last.Topic.Name);
        foreach (string topic in acknowledged)
        {
            Assert.Equal(topic, (await local.DescribeTopicAsync(topic)).Topic.Name);
        }
    }

    [Fact]
    public async Task AllVnodes_AreServed_OnEveryBrokerWithTheRaftBackedService()
    {
        await using var cluster = await MetadataClusterHarness.StartAsync(3);
        using var client = MetadataClusterHarness.Client(cluster);
        for (int v = 0; v < MetadataClusterHarness.Vnodes; v++)
        {
            string topic = MetadataClusterHarness.TopicsOnVnode(v, "all", 1)[0];
            await client.CreateTopicAsync(topic, Policy, 1);
            long version = await client.PutDocumentAsync($"doc-{topic}", "{}"u8.ToArray(), 0);
            Assert.Equal(1, version);
        }

        // Every broker's DI container offers IMetadataService, which serves or proxies any vnode.
        foreach (var broker in cluster.Brokers)
        {
            var service = broker.Services.GetRequiredService<IMetadataService>();
            string topic = MetadataClusterHarness.TopicsOnVnode((int)broker.BrokerId, "all", 1)[0];
            Assert.Equal(topic, (await Eventually(() => service.DescribeTopicAsync(topic).AsTask())).Topic.Name);
            var directory = broker.Services.GetRequiredService<IBrokerDirectory>();
            Assert.Equal(MetadataClusterHarness.Vnodes, directory.Vnodes.Count);
            Assert.All(directory.Vnodes, v => Assert.Equal(3, v.Replicas.Count));
        }

        // Many groups share each persist round (one fsync) and each call to a peer.
        foreach (var broker in cluster.Brokers)
        {
            var host = broker.Services.GetRequiredService<MetadataHost>();
            Assert.Equal(MetadataClusterHarness.Vnodes, host.HostedVnodes.Count);
            Assert.True(host.Counters.Readies > host.Counters.Batches);
            Assert.True(host.Counters.Syncs <= host.Counters.Batches + MetadataClusterHarness.Vnodes);
            Assert.True(host.Transport.MessagesSent > host.Transport.BatchesSent);
        }

        var brokers = await Eventually(async () =>
        {
            var list = await client.ListBrokersAsync();
            return list.Count(b => b.IsLive) == 3 ? list : throw new MetadataRequestException("not all live yet");
        });
        Assert.Equal([1UL, 2UL, 3UL], brokers.Select(b => b.Id));
    }

    /// <summary>Retries a transient failure (no leader yet, catching up) a bounded number of times.</summary>
    internal static async Task<T> Eventually<T>(Func<Task<T>> attempt)
    {
        for (int i = 0; ; i++)
        {
            try
            {
                return await attempt();
            }
            catch (XinfraException) when (i < 200)
            {
                await Task.Delay(100);
            }
        }
    }
}
