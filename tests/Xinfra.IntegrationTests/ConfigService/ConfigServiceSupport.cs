using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Xinfra.Northguard.Cluster;
using Xinfra.Northguard.ConfigService.Client;
using Xinfra.Northguard.Protocol.Config;

namespace Xinfra.IntegrationTests.ConfigService;

/// <summary>One embedded 3-broker cluster shared by the config-service tests that stop nothing.</summary>
public sealed class ConfigServiceFixture : IAsyncLifetime
{
    public NorthguardCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await NorthguardCluster.StartEmbeddedAsync(brokers: 3);

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>A temp folder for cache files, deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("xinfra-config-test-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

internal static class ConfigServiceSupport
{
    public static string Document(string bootstrap, string topic, string physical, string extraClusterSettings = "") => $$"""
        {
          "ApplicationId": "config-it",
          "Clusters": { "ng": { "Kind": "Northguard", "Bootstrap": "{{bootstrap}}", "DefaultPartitions": 2{{extraClusterSettings}} } },
          "Topics": { "{{topic}}": { "Cluster": "ng", "Topic": "{{physical}}" } }
        }
        """;

    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    public static async Task<PutConfigResponse> PublishAsync(string endpoint, string name, string content, long expectedVersion = -1)
    {
        using var channel = GrpcChannel.ForAddress(endpoint.Contains("://", StringComparison.Ordinal) ? endpoint : "http://" + endpoint);
        var client = new Xinfra.Northguard.Protocol.Config.ConfigService.ConfigServiceClient(channel);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await client.PutAsync(new PutConfigRequest { Name = name, Content = content, ExpectedVersion = expectedVersion });
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable && attempt < 60)
            {
                // A metadata election (e.g. right after a broker restart); a refusal is never retried.
                await Task.Delay(250);
            }
        }
    }

    public static ConfigurationRoot Configuration(IReadOnlyList<string> endpoints, string name, string cachePath) =>
        (ConfigurationRoot)new ConfigurationBuilder().AddXinfraConfigService(o =>
        {
            o.Endpoints = endpoints;
            o.Document = name;
            o.CachePath = cachePath;
            o.FetchTimeout = TimeSpan.FromSeconds(10);
            o.ReconnectDelay = TimeSpan.FromMilliseconds(100);
            o.MaxReconnectDelay = TimeSpan.FromSeconds(1);
        }).Build();

    public static XinfraConfigServiceProvider Provider(this IConfigurationRoot root) => root.Providers.OfType<XinfraConfigServiceProvider>().Single();

    public static ServiceProvider Services(IConfigurationRoot configuration)
    {
        var services = new ServiceCollection();
        services.AddXinfra(configuration.GetSection("Xinfra")).AddNorthguard();
        return services.BuildServiceProvider();
    }

    /// <summary>Runs the config-service health check of <paramref name="configuration"/>.</summary>
    public static async Task<HealthReportEntry> ConfigHealthAsync(ConfigurationRoot configuration)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddHealthChecks().AddXinfraConfigService(configuration);
        await using var provider = services.BuildServiceProvider();
        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        return report.Entries["xinfra-config"];
    }

    /// <summary>A loopback endpoint nothing listens on.</summary>
    public static string DeadEndpoint()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"127.0.0.1:{port}";
    }

    public static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        while (!condition())
        {
            if (deadline.IsCancellationRequested)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>The latest <c>xinfra.config.age</c> reported for <paramref name="document"/>, or null.</summary>
    public static double? ObservedAge(string document)
    {
        double? age = null;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == XinfraTelemetry.Name && instrument.Name == "xinfra.config.age")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "document" && Equals(tag.Value, document))
                {
                    age = value;
                }
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return age;
    }
}
