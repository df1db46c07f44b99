using System.Globalization;
using System.Text;
using Xinfra.Northguard.Client;
using Xinfra.Northguard.Cluster;

namespace Xinfra.Cli.Tests;

public sealed class MigrationDivergenceCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("xinfra-cli-divergence-").FullName;

    [Fact]
    public async Task Divergence_RecordOnSourceOnly_ReportedWithExitOne()
    {
        await using var cluster = await NorthguardCluster.StartEmbeddedAsync(3);
        foreach (var topic in new[] { "orders-v1", "orders-v2" })
        {
            Assert.Equal(0, (await Cli.RunAsync("topics", "create", topic, "-r", "3", "--throughput-mbps", "0.001", "-b", cluster.Bootstrap)).ExitCode);
        }

        var settings = Path.Combine(_folder, "appsettings.json");
        await File.WriteAllTextAsync(settings, $$"""
            {
              "Xinfra": {
                "Clusters": { "ng": { "Kind": "Northguard", "Bootstrap": "{{cluster.Bootstrap}}" } },
                "Topics": {
                  "orders": {
                    "Epochs": [ { "Cluster": "ng", "Topic": "orders-v1" }, { "Cluster": "ng", "Topic": "orders-v2" } ],
                    "Phase": "DualWriteReadSource"
                  }
                }
              }
            }
            """);

        // Both epochs get the same five records (same key, value and timestamp); the source gets one more.
        var start = DateTimeOffset.UtcNow.AddMinutes(-1);
        long stamp = start.AddSeconds(10).ToUnixTimeMilliseconds();
        await using (var producer = new NorthguardProducerClient(new NorthguardClientOptions { Endpoints = [.. cluster.Brokers.Select(b => b.Endpoint)] }))
        {
            for (int i = 0; i < 6; i++)
            {
                var record = new NorthguardRecord(Encoding.UTF8.GetBytes($"k{i}"), Encoding.UTF8.GetBytes($"v{i}"), Timestamp: stamp + i);
                await producer.ProduceAsync("orders-v1", record);
                if (i < 5)
                {
                    await producer.ProduceAsync("orders-v2", record);
                }
            }
        }

        string from = start.ToString("O", CultureInfo.InvariantCulture);
        string to = start.AddMinutes(5).ToString("O", CultureInfo.InvariantCulture);
        var result = await Cli.RunAsync("migration", "divergence", "orders", "--config", settings, "--from", from, "--to", to, "--json");

        Assert.True(result.ExitCode == 1, result.ToString());
        var json = result.Json();
        Assert.Equal(1, json.GetProperty("missingOnTarget").GetInt64());
        Assert.Equal(0, json.GetProperty("missingOnSource").GetInt64());
        Assert.Equal(6, json.GetProperty("source").GetProperty("count").GetInt64());
        Assert.Equal(5, json.GetProperty("target").GetProperty("count").GetInt64());

        var human = await Cli.RunAsync("migration", "divergence", "orders", "--config", settings, "--from", from, "--to", to);
        Assert.Equal(1, human.ExitCode);
        Assert.Contains("source only:", human.Out, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
