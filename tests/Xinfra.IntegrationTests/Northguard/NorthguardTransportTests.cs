using System.Globalization;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xinfra.Northguard.Cluster;

namespace Xinfra.IntegrationTests.Northguard;

/// <summary>One embedded 3-broker Northguard cluster (Raft metadata + data path) shared by the tests of this class.</summary>
public sealed class EmbeddedNorthguardFixture : IAsyncLifetime
{
    public NorthguardCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await NorthguardCluster.StartEmbeddedAsync(brokers: 3);

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

public sealed partial class NorthguardTransportTests(EmbeddedNorthguardFixture northguard) : IClassFixture<EmbeddedNorthguardFixture>
{
    private ServiceProvider Services(string topic, string physical)
    {
        var json = $$"""
            { "Xinfra": {
                "ApplicationId": "ng-it",
                "Clusters": { "ng": { "Kind": "Northguard", "Bootstrap": "{{northguard.Cluster.Bootstrap}}", "DefaultPartitions": 4 } },
                "Topics": { "{{topic}}": { "Cluster": "ng", "Topic": "{{physical}}" } } } }
            """;
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        var services = new ServiceCollection();
        services.AddXinfra(configuration.GetSection("Xinfra")).AddNorthguard();
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task ProduceAndConsume_ThroughXinfra_KeepsKeysHeadersAndPerKeyOrder()
    {
        var physical = $"orders-{Guid.NewGuid():N}"[..20];
        await using var provider = Services("orders", physical);
        var xinfra = provider.GetRequiredService<IXinfraClient>();
        await using var producer = xinfra.CreateProducer<string, string>("orders");
        for (var i = 0; i < 200; i++)
        {
            var receipt = await producer.ProduceAsync(new XinfraMessage<string, string>
            {
                Key = $"k{i % 7}",
                Value = $"k{i % 7}:{i / 7}",
                Headers = new XinfraHeaders().Add("trace", $"t{i}"),
            });
            Assert.Equal("ng", receipt.Cluster);
        }

        await using var consumer = xinfra.CreateConsumer<string, string>("orders", new ConsumerOptions<string, string> { GroupId = "g1" });
        var read = new List<ConsumeResult<string, string>>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await foreach (var result in consumer.ConsumeAsync(timeout.Token))
        {
            read.Add(result);
            if (read.Count == 200)
            {
                await consumer.CommitAsync(result);
                break;
            }
        }

        Assert.Equal(200, read.Select(r => r.Value).Distinct().Count());
        Assert.All(read, r => Assert.True(r.Headers.TryGetString("trace", out _)));
        foreach (var perKey in read.GroupBy(r => r.Key))
        {
            var seqs = perKey.Select(r => int.Parse(r.Value!.Split(':')[1], CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(Enumerable.Range(0, seqs.Count), seqs);
            Assert.Single(perKey.Select(r => r.Position.Partition).Distinct());
        }
    }

    [Fact]
    public async Task CommittedPositions_SurviveTheConsumer()
    {
        var physical = $"events-{Guid.NewGuid():N}"[..20];
        await using var provider = Services("events", physical);
        var xinfra = provider.GetRequiredService<IXinfraClient>();
        await using var producer = xinfra.CreateProducer<string, string>("events");
        for (var i = 0; i < 20; i++)
        {
            await producer.ProduceAsync("one-key", $"{i}");
        }

        var options = new ConsumerOptions<string, string> { GroupId = "g", CommitMode = CommitMode.Manual };
        await using (var first = xinfra.CreateConsumer("events", options))
        {
            var count = 0;
            await foreach (var result in first.ConsumeAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token))
            {
                if (++count == 8)
                {
                    await first.CommitAsync(result);
                    break;
                }
            }
        }

        await using var second = xinfra.CreateConsumer("events", options);
        await foreach (var result in second.ConsumeAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token))
        {
            Assert.Equal("8", result.Value);
            break;
        }
    }

    [Fact]
    public async Task DescribeTopic_HighWatermarksCountTheDurableRecords()
    {
        var physical = $"marks-{Guid.NewGuid():N}"[..20];
        await using var provider = Services("marks", physical);
        await using var producer = provider.GetRequiredService<IXinfraClient>().CreateProducer<string, string>("marks");
        for (var i = 0; i < 30; i++)
        {
            await producer.ProduceAsync($"k{i}", "v");
        }

        var transport = provider.GetRequiredService<Xinfra.Routing.TransportRegistry>().Get("ng");
        var route = provider.GetRequiredService<Xinfra.Routing.XinfraConfigurationMonitor>().Current.Route("marks");
        var partitions = await transport.DescribeTopicAsync(route.Source, CancellationToken.None);
        Assert.Equal(4, partitions.Count);
        Assert.Equal(30, partitions.Sum(p => p.Watermarks.High - p.Watermarks.Low));
    }
}
