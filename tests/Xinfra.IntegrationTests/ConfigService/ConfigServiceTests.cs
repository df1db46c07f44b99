using System.Text;
using Grpc.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;
using Xinfra.Northguard.ConfigService;
using Xinfra.Northguard.ConfigService.Client;
using Xinfra.Northguard.Metadata.Service;
using Xinfra.Routing;
using static Xinfra.IntegrationTests.ConfigService.ConfigServiceSupport;

namespace Xinfra.IntegrationTests.ConfigService;

public sealed class ConfigServiceTests(ConfigServiceFixture fixture) : IClassFixture<ConfigServiceFixture>
{
    private string Endpoint(int index) => fixture.Cluster.Brokers[index].Endpoint;

    private string[] Endpoints => [.. fixture.Cluster.Brokers.Select(b => b.Endpoint)];

    [Fact]
    public async Task Put_InvalidDocument_RefusedListingTheFieldsAndStoredVersionKept()
    {
        var name = UniqueName("put");
        var good = Document(fixture.Cluster.Bootstrap, "orders", "orders-p");
        var first = await PublishAsync(Endpoint(0), name, good, expectedVersion: 0);
        Assert.Equal(1, first.Version);

        const string bad = """{ "Clusters": { "ng": { "Kind": "Northguard" } }, "Topics": { "orders": { "Cluster": "nowhere" } } }""";
        var error = await Assert.ThrowsAsync<RpcException>(() => PublishAsync(Endpoint(1), name, bad));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("Xinfra:Clusters:ng:Bootstrap", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("Xinfra:Topics:orders", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("nowhere", error.Status.Detail, StringComparison.Ordinal);

        var notJson = await Assert.ThrowsAsync<RpcException>(() => PublishAsync(Endpoint(2), name, "{ not json"));
        Assert.Equal(StatusCode.InvalidArgument, notJson.StatusCode);
        Assert.Contains("not a JSON object", notJson.Status.Detail, StringComparison.Ordinal);

        const string secret = """{ "Clusters": { "ng": { "Kind": "Northguard", "Bootstrap": "h:1", "SecurityProfile": "p" } }, "SecurityProfiles": { "p": { "Username": "u", "Password": "hunter2" } } }""";
        var leaked = await Assert.ThrowsAsync<RpcException>(() => PublishAsync(Endpoint(0), name, secret));
        Assert.Equal(StatusCode.InvalidArgument, leaked.StatusCode);
        Assert.Contains("Xinfra:SecurityProfiles:p:Password: a secret must not be published", leaked.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", leaked.Status.Detail, StringComparison.Ordinal);

        var stale = await Assert.ThrowsAsync<RpcException>(() => PublishAsync(Endpoint(2), name, good, expectedVersion: 7));
        Assert.Equal(StatusCode.FailedPrecondition, stale.StatusCode);

        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(Endpoint(2));
        var stored = await new Xinfra.Northguard.Protocol.Config.ConfigService.ConfigServiceClient(channel).GetAsync(new() { Name = name });
        Assert.Equal(1, stored.Version);
        Assert.Equal(good, stored.Content);
        Assert.Equal(XinfraConfigDocument.Checksum(good), stored.Checksum);
    }

    [Fact]
    public async Task AdminClient_PublishAndGet_RefusalIsATypedErrorNamingTheField()
    {
        var name = UniqueName("admin");
        using var admin = new XinfraConfigAdminClient(fixture.Cluster.Bootstrap.Split(',')[0]);
        Assert.Null(await admin.GetAsync(name));

        var good = Document(fixture.Cluster.Bootstrap, "orders", "orders-admin");
        var published = await admin.PublishAsync(name, good, expectedVersion: 0);
        Assert.Equal(1, published.Version);

        var error = await Assert.ThrowsAsync<XinfraConfigurationException>(() => admin.PublishAsync(name, good.Replace("\"Kind\": \"Northguard\"", "\"Kind\": \"Sideways\"", StringComparison.Ordinal)));
        Assert.Contains("Xinfra:Clusters:ng", error.Message, StringComparison.Ordinal);
        Assert.Contains("Sideways", error.Message, StringComparison.Ordinal);

        var bad = good.Replace("\"Kind\": \"Northguard\"", "\"Kind\": \"Sideways\"", StringComparison.Ordinal);
        var dryRun = await Assert.ThrowsAsync<XinfraConfigurationException>(() => admin.ValidateAsync(name, bad));
        Assert.Contains("Sideways", dryRun.Message, StringComparison.Ordinal);
        await admin.ValidateAsync(name, good.Replace("orders-admin", "orders-admin-2", StringComparison.Ordinal));

        var stored = await admin.GetAsync(name);
        Assert.Equal(published, stored);
    }

    [Fact]
    public async Task Start_ServiceUp_FetchesAppliesAndCachesTheDocument()
    {
        using var temp = new TempFolder();
        var name = UniqueName("start");
        await PublishAsync(Endpoint(0), name, Document(fixture.Cluster.Bootstrap, "orders", "orders-start"));

        using var configuration = Configuration(Endpoints, name, temp.File("cache.json"));
        var state = configuration.Provider().State;
        Assert.Equal(ConfigSourceKind.Service, state.Source);
        Assert.Equal(1, state.Version);
        Assert.Equal(fixture.Cluster.Bootstrap, configuration["Xinfra:Clusters:ng:Bootstrap"]);
        Assert.True(File.Exists(temp.File("cache.json")));
        Assert.Equal(HealthStatus.Healthy, (await ConfigHealthAsync(configuration)).Status);

        await using var services = Services(configuration);
        var monitor = services.GetRequiredService<XinfraConfigurationMonitor>();
        Assert.Equal("orders-start", monitor.Current.Route("orders").Source.Name);
    }

    [Fact]
    public async Task Start_ServiceUnreachable_StartsFromTheCacheAndProduces()
    {
        using var temp = new TempFolder();
        var name = UniqueName("cached");
        var physical = UniqueName("cached");
        await PublishAsync(Endpoint(0), name, Document(fixture.Cluster.Bootstrap, "orders", physical));
        using (Configuration(Endpoints, name, temp.File("cache.json")))
        {
            // The first run fetched the document and wrote the cache.
        }

        using var configuration = Configuration([DeadEndpoint()], name, temp.File("cache.json"));
        var state = configuration.Provider().State;
        Assert.Equal(ConfigSourceKind.Cache, state.Source);
        Assert.Equal(1, state.Version);
        Assert.NotNull(state.Age);
        Assert.Contains("Unavailable", state.LastError, StringComparison.Ordinal);
        var health = await ConfigHealthAsync(configuration);
        Assert.Equal(HealthStatus.Degraded, health.Status);
        Assert.Contains("from the on-disk cache", health.Description, StringComparison.Ordinal);

        await using var services = Services(configuration);
        await using var producer = services.GetRequiredService<IXinfraClient>().CreateProducer<string, string>("orders");
        var receipt = await producer.ProduceAsync("k", "from the cached configuration");
        Assert.Equal("ng", receipt.Cluster);
    }

    [Fact]
    public async Task Start_FromCache_AgeCountsFromTheCachedFetchAndGrowsWithTheClock()
    {
        using var temp = new TempFolder();
        var name = UniqueName("age");
        await PublishAsync(Endpoint(0), name, Document(fixture.Cluster.Bootstrap, "orders", "orders-age"));
        DateTimeOffset fetchedAt;
        using (var first = Configuration(Endpoints, name, temp.File("cache.json")))
        {
            fetchedAt = first.Provider().State.LastConfirmed!.Value;
        }

        var clock = new FakeTimeProvider(fetchedAt + TimeSpan.FromMinutes(10));
        using var configuration = (ConfigurationRoot)new ConfigurationBuilder().AddXinfraConfigService(o =>
        {
            o.Endpoints = [DeadEndpoint()];
            o.Document = name;
            o.CachePath = temp.File("cache.json");
            o.TimeProvider = clock;
        }).Build();
        var provider = configuration.Provider();
        Assert.Equal(ConfigSourceKind.Cache, provider.State.Source);
        Assert.Equal(fetchedAt, provider.State.LastConfirmed);
        Assert.Equal(TimeSpan.FromMinutes(10), provider.State.Age);
        Assert.Equal(600, ObservedAge(name));

        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(TimeSpan.FromMinutes(15), provider.State.Age);
        Assert.Equal(900, ObservedAge(name));
        var health = await ConfigHealthAsync(configuration);
        Assert.Equal(HealthStatus.Degraded, health.Status);
        Assert.Equal(900.0, health.Data["age_seconds"]);
    }

    [Fact]
    public async Task Start_CorruptCache_DetectedWithAClearErrorAndNeverUsed()
    {
        using var temp = new TempFolder();
        var name = UniqueName("corrupt");
        var cache = temp.File("cache.json");
        await PublishAsync(Endpoint(0), name, Document(fixture.Cluster.Bootstrap, "orders", "orders-c1"));
        using (Configuration(Endpoints, name, cache))
        {
        }

        // One changed character in the content (a bootstrap port digit): still valid JSON, but not what was written.
        var text = await File.ReadAllTextAsync(cache);
        var at = text.IndexOf("orders-c1", StringComparison.Ordinal);
        await File.WriteAllTextAsync(cache, string.Concat(text.AsSpan(0, at), "orders-c2", text.AsSpan(at + 9)));

        var down = Assert.Throws<XinfraConfigurationException>(() => Configuration([DeadEndpoint()], name, cache));
        Assert.Contains("checksum mismatch", down.Message, StringComparison.Ordinal);
        Assert.Contains(cache, down.Message, StringComparison.Ordinal);

        // With the service up the corrupt cache is irrelevant at start and is replaced by a good copy.
        using (var configuration = Configuration(Endpoints, name, cache))
        {
            Assert.Equal("orders-c1", configuration["Xinfra:Topics:orders:Topic"]);
        }

        using var again = Configuration([DeadEndpoint()], name, cache);
        Assert.Equal(ConfigSourceKind.Cache, again.Provider().State.Source);
        Assert.Equal("orders-c1", again["Xinfra:Topics:orders:Topic"]);

        await File.WriteAllTextAsync(cache, "{ \"format\": 1, \"document\": ");
        var truncated = Assert.Throws<XinfraConfigurationException>(() => Configuration([DeadEndpoint()], name, cache));
        Assert.Contains("not a readable config cache", truncated.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_InvalidDocumentPushed_RejectedLastGoodKeptAndNotCached()
    {
        using var temp = new TempFolder();
        var name = UniqueName("invalid");
        var cache = temp.File("cache.json");
        await PublishAsync(Endpoint(0), name, Document(fixture.Cluster.Bootstrap, "orders", "orders-v1"));
        using var configuration = Configuration(Endpoints, name, cache);
        await using var services = Services(configuration);
        var monitor = services.GetRequiredService<XinfraConfigurationMonitor>();
        var provider = configuration.Provider();
        var cachedBefore = await File.ReadAllBytesAsync(cache);

        // Written straight into the replicated store, past the service's own validation (as an older broker or a
        // restore could): the client must still refuse it.
        var store = fixture.Cluster.Brokers[0].Services.GetRequiredService<IMetadataService>();
        const string invalid = """{ "Clusters": { "ng": { "Kind": "Northguard", "Bootstrap": "" } }, "Topics": { "orders": { "Cluster": "ng", "Topic": "orders-v2" } } }""";
        var version = await store.PutDocumentAsync(XinfraConfigDocument.KeyOf(name), Encoding.UTF8.GetBytes(invalid), -1);
        Assert.Equal(2, version);

        await WaitUntilAsync(() => provider.State.LastRejection is not null, "the pushed document is rejected");
        var state = provider.State;
        Assert.Contains("version 2 is invalid; keeping version 1", state.LastRejection, StringComparison.Ordinal);
        Assert.Contains("Xinfra:Clusters:ng:Bootstrap", state.LastRejection, StringComparison.Ordinal);
        Assert.Equal(1, state.Version);
        Assert.Equal("orders-v1", configuration["Xinfra:Topics:orders:Topic"]);
        Assert.Equal("orders-v1", monitor.Current.Route("orders").Source.Name);
        Assert.Equal(cachedBefore, await File.ReadAllBytesAsync(cache));

        // The next valid version is applied live and cached.
        await PublishAsync(Endpoint(1), name, Document(fixture.Cluster.Bootstrap, "orders", "orders-v3"));
        await WaitUntilAsync(() => monitor.Current.Route("orders").Source.Name == "orders-v3", "version 3 is applied");
        Assert.Null(provider.State.LastRejection);
        Assert.Equal(3, provider.State.Version);
        using var restarted = Configuration([DeadEndpoint()], name, cache);
        Assert.Equal("orders-v3", restarted["Xinfra:Topics:orders:Topic"]);
    }
}
