using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xinfra.InMemory;
using Xinfra.Routing;

namespace Xinfra.Client.Tests.Support;

/// <summary>Builds a service provider with Xinfra bound to a JSON document, in-memory transport registered.</summary>
internal sealed class TestHost : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private TestHost(ServiceProvider provider) => _provider = provider;

    public static TestHost FromJson(string json, Action<IXinfraBuilder>? extend = null)
    {
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        return FromConfiguration(configuration, extend);
    }

    public static TestHost FromConfiguration(IConfiguration configuration, Action<IXinfraBuilder>? extend = null)
    {
        var services = new ServiceCollection();
        var builder = services.AddXinfra(configuration.GetSection("Xinfra")).AddInMemory();
        extend?.Invoke(builder);
        return new TestHost(services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }));
    }

    public IServiceProvider Services => _provider;

    public IXinfraClient Client => _provider.GetRequiredService<IXinfraClient>();

    public XinfraConfigurationMonitor Configuration => _provider.GetRequiredService<XinfraConfigurationMonitor>();

    /// <summary>Binds an <c>Xinfra</c> section from JSON, as a config-service push would deliver it.</summary>
    public static XinfraOptions Options(string json)
    {
        var options = new XinfraOptions();
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build().GetSection("Xinfra").Bind(options);
        return options;
    }

    public InMemoryCluster Cluster(string bootstrap) => _provider.GetRequiredService<InMemoryClusters>().Get(bootstrap);

    public ValueTask DisposeAsync() => _provider.DisposeAsync();

    /// <summary>One in-memory cluster "mem" and one topic "orders" with 3 partitions.</summary>
    public const string SingleTopic = """
        {
          "Xinfra": {
            "ApplicationId": "tests",
            "Clusters": { "mem": { "Kind": "InMemory", "Bootstrap": "mem-1" } },
            "Topics": { "orders": { "Cluster": "mem", "Topic": "orders.v1" } }
          }
        }
        """;

    /// <summary>Two in-memory clusters and a topic "orders" with epochs on both, in <paramref name="phase"/>.</summary>
    public static string Migrating(string phase) => $$"""
        {
          "Xinfra": {
            "ApplicationId": "tests",
            "Clusters": {
              "old": { "Kind": "InMemory", "Bootstrap": "old-1", "DefaultPartitions": 2 },
              "new": { "Kind": "InMemory", "Bootstrap": "new-1", "DefaultPartitions": 4 }
            },
            "Topics": {
              "orders": {
                "Epochs": [ { "Cluster": "old", "Topic": "orders.kafka" }, { "Cluster": "new", "Topic": "orders.ng" } ],
                "Phase": "{{phase}}"
              }
            }
          }
        }
        """;
}
