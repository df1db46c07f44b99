using Microsoft.Extensions.DependencyInjection;
using Xinfra.Northguard.Cluster;
using Xinfra.Routing;
using static Xinfra.IntegrationTests.ConfigService.ConfigServiceSupport;

namespace Xinfra.IntegrationTests.ConfigService;

public sealed class ConfigServiceOutageTests(ConfigServiceFixture fixture) : IClassFixture<ConfigServiceFixture>
{
    [Fact]
    public async Task ServiceGoesDown_ClientKeepsProducingAndConfigAgeGrows()
    {
        // The config service runs on its own one-broker cluster so that stopping it leaves the data cluster alone.
        using var temp = new TempFolder();
        var name = UniqueName("outage");
        var physical = UniqueName("outage");
        await using var configCluster = await NorthguardCluster.StartEmbeddedAsync(brokers: 1);
        await PublishAsync(configCluster.Brokers[0].Endpoint, name, Document(fixture.Cluster.Bootstrap, "orders", physical));

        using var configuration = Configuration([configCluster.Brokers[0].Endpoint], name, temp.File("cache.json"));
        await using var services = Services(configuration);
        var provider = configuration.Provider();
        var monitor = services.GetRequiredService<XinfraConfigurationMonitor>();
        await using var producer = services.GetRequiredService<IXinfraClient>().CreateProducer<string, string>("orders");
        await producer.ProduceAsync("k", "before");

        // Heartbeats (every second) keep the age small while the service is up.
        await WaitUntilAsync(() => provider.State is { Connected: true, Age: { } age } && age < TimeSpan.FromSeconds(1.5), "the watch is connected and confirming");

        await configCluster.DisposeAsync();
        await WaitUntilAsync(() => provider.State.Age > TimeSpan.FromSeconds(3), "the config age passes 3 s");

        var state = provider.State;
        Assert.False(state.Connected);
        Assert.Equal(1, state.Version);
        Assert.NotNull(state.LastError);
        Assert.True(ObservedAge(name) > 3, "xinfra.config.age reports the growing age");
        Assert.Equal(physical, monitor.Current.Route("orders").Source.Name);
        var receipt = await producer.ProduceAsync("k", "after the config service went down");
        Assert.Equal("ng", receipt.Cluster);
    }
}
