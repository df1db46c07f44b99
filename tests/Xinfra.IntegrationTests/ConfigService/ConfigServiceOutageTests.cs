using Microsoft.Extensions.DependencyInjection;
using Xinfra.Northguard.Cluster;
using Xinfra.Routing;
using static Xinfra.IntegrationTests.ConfigService.ConfigServiceSupport;

namespace Xinfra.IntegrationTests.ConfigService;

public sealed class ConfigServiceOutageTests(ConfigServiceFixture fixture) : IClassFixture<ConfigServiceFixture>
{
    [Fact]
    public async Task ServiceGoesDown_ClientKeepsProducingAgeGrows_ThenReconnectsAndFollowsTheNextVersion()
    {
        // The config service runs on its own one-broker cluster so that stopping it leaves the data cluster alone.
        using var temp = new TempFolder();
        var name = UniqueName("outage");
        var physical = UniqueName("outage");
        await using var configCluster = await NorthguardCluster.StartEmbeddedAsync(brokers: 1);
        var configEndpoint = configCluster.Brokers[0].Endpoint;
        var document = Document(fixture.Cluster.Bootstrap, "orders", physical);
        await PublishAsync(configEndpoint, name, document);

        using var configuration = Configuration([configCluster.Brokers[0].Endpoint], name, temp.File("cache.json"));
        await using var services = Services(configuration);
        var provider = configuration.Provider();
        var monitor = services.GetRequiredService<XinfraConfigurationMonitor>();
        await using var producer = services.GetRequiredService<IXinfraClient>().CreateProducer<string, string>("orders");
        await producer.ProduceAsync("k", "before");

        // Heartbeats (every second) keep the age small while the service is up.
        await WaitUntilAsync(() => provider.State is { Connected: true, Age: { } age } && age < TimeSpan.FromSeconds(1.5), "the watch is connected and confirming");

        await configCluster.StopBrokerAsync(1);
        await WaitUntilAsync(() => provider.State.Age > TimeSpan.FromSeconds(3), "the config age passes 3 s");

        var state = provider.State;
        Assert.False(state.Connected);
        Assert.Equal(1, state.Version);
        Assert.NotNull(state.LastError);
        Assert.True(ObservedAge(name) > 3, "xinfra.config.age reports the growing age");
        Assert.Equal(physical, monitor.Current.Route("orders").Source.Name);
        var receipt = await producer.ProduceAsync("k", "after the config service went down");
        Assert.Equal("ng", receipt.Cluster);

        // The service comes back on the same address: the watch reconnects (backoff at most 1 s here) and delivers
        // the next version.
        await configCluster.RestartBrokerAsync(1);
        await configCluster.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
        await PublishAsync(configEndpoint, name, document.Replace("config-it", "config-it-2", StringComparison.Ordinal));
        await WaitUntilAsync(() => monitor.Current.Options.ApplicationId == "config-it-2", "version 2 is applied after the reconnect", TimeSpan.FromSeconds(60));
        Assert.Equal(2, provider.State.Version);
        Assert.True(provider.State.Age < TimeSpan.FromSeconds(3));
        Assert.True(provider.State.Connected);
    }
}
