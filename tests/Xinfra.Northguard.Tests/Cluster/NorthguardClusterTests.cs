using Grpc.Net.Client;
using Xinfra.Northguard.Cluster;
using Xinfra.Northguard.Protocol;

namespace Xinfra.Northguard.Tests.Cluster;

public sealed class NorthguardClusterTests
{
    [Fact]
    public async Task StartAsync_ThreeBrokers_EachAnswersOnItsOwnLoopbackPort()
    {
        string root;
        await using (var cluster = await NorthguardCluster.StartAsync(new NorthguardClusterOptions
        {
            Brokers = 3,
            Attributes = id => new Dictionary<string, string> { ["zone"] = $"z{id}" },
        }))
        {
            root = cluster.DataRoot;
            Assert.Equal(3, cluster.Bootstrap.Split(',').Distinct().Count());
            foreach (var broker in cluster.Brokers)
            {
                Assert.StartsWith("http://127.0.0.1:", broker.Endpoint, StringComparison.Ordinal);
                using var channel = GrpcChannel.ForAddress(broker.Endpoint);
                var info = await new BrokerInfo.BrokerInfoClient(channel).DescribeAsync(new DescribeBrokerRequest());
                Assert.Equal(broker.BrokerId, info.BrokerId);
                Assert.Equal($"z{broker.BrokerId}", info.Attributes["zone"]);
                Assert.True(Directory.Exists(Path.Combine(root, $"broker-{broker.BrokerId}")));
            }
        }

        Assert.False(Directory.Exists(root));
    }

    [Fact]
    public async Task RestartBroker_ComesBackOnTheSamePort()
    {
        await using var cluster = await NorthguardCluster.StartAsync(new NorthguardClusterOptions { Brokers = 2 });
        var endpoint = cluster.Broker(2).Endpoint;
        await cluster.StopBrokerAsync(2);
        Assert.Single(cluster.Brokers);
        using (var channel = GrpcChannel.ForAddress(endpoint))
        {
            await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await new BrokerInfo.BrokerInfoClient(channel).DescribeAsync(new DescribeBrokerRequest(), deadline: DateTime.UtcNow.AddSeconds(5)));
        }

        var restarted = await cluster.RestartBrokerAsync(2);
        Assert.Equal(endpoint, restarted.Endpoint);
        using var again = GrpcChannel.ForAddress(endpoint);
        Assert.Equal(2UL, (await new BrokerInfo.BrokerInfoClient(again).DescribeAsync(new DescribeBrokerRequest())).BrokerId);
    }
}
