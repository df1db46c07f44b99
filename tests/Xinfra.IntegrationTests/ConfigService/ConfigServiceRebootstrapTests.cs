using Microsoft.Extensions.DependencyInjection;
using Xinfra.Northguard.Cluster;
using Xinfra.Northguard.DataPath;
using Xinfra.Routing;
using static Xinfra.IntegrationTests.ConfigService.ConfigServiceSupport;

namespace Xinfra.IntegrationTests.ConfigService;

public sealed class ConfigServiceRebootstrapTests(ConfigServiceFixture fixture) : IClassFixture<ConfigServiceFixture>
{
    [Fact]
    public async Task BootstrapChangedInTheDocument_RunningProducerAndConsumerFollowWithoutRestart()
    {
        // Data on its own 3-broker cluster (one broker is stopped below); the config service on the shared one.
        await using var data = await NorthguardCluster.StartEmbeddedAsync(3, DataPathOptions.Default with { ReplicaTimeout = TimeSpan.FromSeconds(2) });
        string Address(ulong id) => new Uri(data.Broker(id).Endpoint).Authority;
        var setA = Address(1);
        var setB = $"{Address(2)},{Address(3)}";
        using var temp = new TempFolder();
        var name = UniqueName("rebootstrap");
        var physical = UniqueName("rebootstrap");
        const string rf2 = """, "Settings": { "replication.factor": "2" }""";
        await PublishAsync(fixture.Cluster.Brokers[0].Endpoint, name, Document(setA, "orders", physical, rf2));

        using var configuration = Configuration([.. fixture.Cluster.Brokers.Select(b => b.Endpoint)], name, temp.File("cache.json"));
        await using var services = Services(configuration);
        var monitor = services.GetRequiredService<XinfraConfigurationMonitor>();
        var registry = services.GetRequiredService<TransportRegistry>();
        var xinfra = services.GetRequiredService<IXinfraClient>();
        await using var producer = xinfra.CreateProducer<string, string>("orders");
        await using var consumer = xinfra.CreateConsumer("orders", new ConsumerOptions<string, string> { GroupId = "g", CommitInterval = TimeSpan.Zero });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var reader = consumer.ConsumeAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);

        for (var i = 0; i < 20; i++)
        {
            await producer.ProduceAsync($"k{i % 5}", $"a{i}");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        await ReadAsync(reader, seen, 20);
        var transportA = registry.Get("ng");

        // The operator moves the cluster's bootstrap to brokers 2 and 3, then retires broker 1.
        await PublishAsync(fixture.Cluster.Brokers[1].Endpoint, name, Document(setB, "orders", physical, rf2));
        await WaitUntilAsync(() => monitor.Current.Options.Clusters["ng"].Bootstrap == setB, "the new bootstrap is applied");
        await data.StopBrokerAsync(1);

        for (var i = 0; i < 20; i++)
        {
            await producer.ProduceAsync($"k{i % 5}", $"b{i}");
        }

        await ReadAsync(reader, seen, 40);
        Assert.Equal(40, seen.Count);
        Assert.All(Enumerable.Range(0, 20), i => Assert.Contains($"b{i}", seen));
        Assert.NotSame(transportA, registry.Get("ng"));
        Assert.False(registry.IsCurrent("ng", transportA));
    }

    private static async Task ReadAsync(IAsyncEnumerator<ConsumeResult<string, string>> reader, HashSet<string> seen, int until)
    {
        while (seen.Count < until)
        {
            Assert.True(await reader.MoveNextAsync(), "the consumer stopped");
            seen.Add(reader.Current.Value!);
        }
    }
}
