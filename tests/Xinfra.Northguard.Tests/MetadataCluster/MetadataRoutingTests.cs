using Microsoft.Extensions.DependencyInjection;
using Xinfra.Northguard.Metadata.Hosting;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Network;
using Xinfra.Northguard.Metadata.Service;

namespace Xinfra.Northguard.Tests.MetadataCluster;

public sealed class MetadataRoutingTests
{
    private static readonly StoragePolicy Policy = StoragePolicy.Default with { ReplicationFactor = 1 };

    [Fact]
    public async Task FollowerBroker_ProxiesTheCallToTheVnodeLeader()
    {
        await using var cluster = await MetadataClusterHarness.StartAsync(3);
        const int vnode = 5;
        var topics = MetadataClusterHarness.TopicsOnVnode(vnode, "proxy", 2);
        using (var client = MetadataClusterHarness.Client(cluster))
        {
            await client.CreateTopicAsync(topics[0], Policy, 1);
        }

        ulong leader = await MetadataClusterHarness.LeaderOfAsync(cluster, vnode);
        var follower = cluster.Brokers.First(b => b.BrokerId != leader);
        using var connection = new GrpcMetadataConnection(follower.Endpoint, noProxy: false);

        var created = await connection.CreateTopicAsync(topics[1], Policy, 4);

        Assert.Equal(4, created.Ranges.Count);
        Assert.True(follower.Services.GetRequiredService<ProxyingMetadataService>().Proxied >= 1);
        Assert.Equal(topics[1], (await connection.DescribeTopicAsync(topics[1])).Topic.Name);
    }

    [Fact]
    public async Task Client_BootstrappedOnAFollower_FollowsNotLeader_AndCachesTheLeader()
    {
        await using var cluster = await MetadataClusterHarness.StartAsync(3);
        const int vnode = 6;
        var topics = MetadataClusterHarness.TopicsOnVnode(vnode, "redirect", 2);
        using (var warmup = MetadataClusterHarness.Client(cluster))
        {
            await warmup.CreateTopicAsync(topics[0], Policy, 1);
        }

        ulong leader = await MetadataClusterHarness.LeaderOfAsync(cluster, vnode);
        var follower = cluster.Brokers.First(b => b.BrokerId != leader);

        // Without proxying, a follower refuses the write and names the leader.
        using (var direct = new GrpcMetadataConnection(follower.Endpoint, noProxy: true))
        {
            var refused = await Assert.ThrowsAsync<NotLeaderException>(async () => await direct.CreateTopicAsync(topics[1], Policy, 1));
            Assert.Equal((vnode, leader), (refused.Vnode, refused.LeaderHint));
        }

        using var client = MetadataClusterHarness.Client(cluster, follower.Endpoint);
        await client.CreateTopicAsync(topics[1], Policy, 1);

        Assert.True(client.Redirects >= 1);
        Assert.Equal(cluster.Broker(leader).Endpoint, client.CachedLeader(vnode));
        await Assert.ThrowsAsync<TopicExistsException>(async () => await client.CreateTopicAsync(topics[1], Policy, 1));
        await Assert.ThrowsAsync<UnknownTopicException>(async () => await client.DescribeTopicAsync("missing-topic"));
    }
}
