using Xinfra.Northguard.Cluster;
using Xinfra.Northguard.ConfigService.Client;

namespace Xinfra.Cli.Tests;

/// <summary><c>migration phase set --document</c>: the phase of a config-service document, validated and published as its next version.</summary>
public sealed class MigrationPhaseDocumentTests
{
    private const string Document = """
        { "Clusters": { "mem": { "Kind": "InMemory", "Bootstrap": "local" } },
          "Topics": { "orders": { "Epochs": [ { "Cluster": "mem", "Topic": "orders-v1" }, { "Cluster": "mem", "Topic": "orders-v2" } ], "Phase": "SourceOnly" } } }
        """;

    [Fact]
    public async Task PhaseSet_OnADocument_PublishesTheNextVersion_AndRefusesASkippedPhase()
    {
        await using var cluster = await NorthguardCluster.StartEmbeddedAsync(1);
        using var admin = new XinfraConfigAdminClient(cluster.Brokers[0].Endpoint);
        await admin.PublishAsync("checkout", Document, expectedVersion: 0);

        var skipped = await Cli.RunAsync("migration", "phase", "set", "orders", "DualWriteReadTarget", "--document", "checkout", "-b", cluster.Bootstrap);
        Assert.True(skipped.ExitCode == 1, skipped.ToString());
        Assert.Contains("Xinfra:Topics:orders:Phase", skipped.Error, StringComparison.Ordinal);
        Assert.Equal(1, (await admin.GetAsync("checkout"))!.Version);

        var step = await Cli.RunAsync("migration", "phase", "set", "orders", "DualWriteReadSource", "--document", "checkout", "-b", cluster.Bootstrap, "--json");
        Assert.True(step.ExitCode == 0, step.ToString());
        var published = (await admin.GetAsync("checkout"))!;
        Assert.Equal(2, published.Version);
        Assert.Contains("\"Phase\": \"DualWriteReadSource\"", published.Content, StringComparison.Ordinal);

        var get = await Cli.RunAsync("migration", "phase", "get", "orders", "--document", "checkout", "-b", cluster.Bootstrap, "--json");
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Equal("DualWriteReadSource", get.Json().GetProperty("phase").GetString());

        var both = await Cli.RunAsync("migration", "phase", "get", "orders", "--document", "checkout", "--config", "x.json", "-b", cluster.Bootstrap);
        Assert.Equal(64, both.ExitCode);
    }
}
