using Microsoft.Extensions.Configuration;
using Xinfra.Client.Tests.Support;

namespace Xinfra.Client.Tests.Configuration;

public sealed class LiveReloadTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("xinfra-reload-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string WriteSettings(string json)
    {
        var path = Path.Combine(_folder, "appsettings.json");
        var temp = path + ".tmp";
        File.WriteAllText(temp, json);
        File.Move(temp, path, overwrite: true);
        return path;
    }

    private TestHost StartFromFile(string phase)
    {
        var path = WriteSettings(TestHost.Migrating(phase));
        var configuration = new ConfigurationBuilder().AddJsonFile(path, optional: false, reloadOnChange: true).Build();
        return TestHost.FromConfiguration(configuration);
    }

    [Fact]
    public async Task EditedPhase_IsPickedUpLive_ByARunningProducer()
    {
        await using var host = StartFromFile("SourceOnly");
        await using var producer = host.Client.CreateProducer<string, string>("orders");
        Assert.Single((await producer.ProduceAsync("k", "before")).Copies);

        WriteSettings(TestHost.Migrating("DualWriteReadSource"));
        await Eventually.TrueAsync(() => host.Configuration.Current.Route("orders").Phase == MigrationPhase.DualWriteReadSource, "the new phase is applied");

        var receipt = await producer.ProduceAsync("k", "after");
        Assert.Equal(["old", "new"], receipt.Copies.Select(c => c.Cluster));
        Assert.Equal(MigrationPhase.DualWriteReadSource, receipt.Phase);
    }

    [Fact]
    public async Task InvalidEdit_IsRejected_AndTheLastGoodConfigurationStays()
    {
        await using var host = StartFromFile("DualWriteReadSource");
        var before = host.Configuration.Current.Version;
        await using var producer = host.Client.CreateProducer<string, string>("orders");

        // A typo in the phase: refused, the running configuration stays.
        WriteSettings(TestHost.Migrating("DualWriteReadTraget"));
        await Eventually.TrueAsync(() => host.Configuration.LastRejection?.Contains("Xinfra:Topics:orders:Phase", StringComparison.Ordinal) == true, "the typo is rejected");
        Assert.Equal(before, host.Configuration.Current.Version);
        Assert.Equal(2, (await producer.ProduceAsync("k", "v")).Copies.Count);

        // A reference to a cluster that does not exist: refused too.
        WriteSettings(TestHost.Migrating("DualWriteReadTarget").Replace("\"Cluster\": \"new\"", "\"Cluster\": \"nowhere\"", StringComparison.Ordinal));
        await Eventually.TrueAsync(() => host.Configuration.LastRejection?.Contains("'nowhere'", StringComparison.Ordinal) == true, "the unknown cluster is rejected");
        Assert.Equal(before, host.Configuration.Current.Version);

        WriteSettings(TestHost.Migrating("DualWriteReadTarget"));
        await Eventually.TrueAsync(() => host.Configuration.Current.Route("orders").Phase == MigrationPhase.DualWriteReadTarget, "the valid edit is applied");
        Assert.Equal(before + 1, host.Configuration.Current.Version);
    }

    [Fact]
    public async Task TryApply_InvalidDocument_KeepsCurrentAndSaysWhy()
    {
        await using var host = TestHost.FromJson(TestHost.SingleTopic);
        var current = host.Configuration.Current;
        var bad = new XinfraOptions { Topics = { ["orders"] = new TopicOptions { Cluster = "gone" } } };

        Assert.False(host.Configuration.TryApply(bad, out var errors));
        Assert.Contains("Xinfra:Topics:orders:Cluster: 'gone'", errors, StringComparison.Ordinal);
        Assert.Same(current, host.Configuration.Current);
        Assert.Equal(errors, host.Configuration.LastRejection);

        var good = new XinfraOptions { Clusters = { ["mem"] = new ClusterOptions { Bootstrap = "mem-1" } }, Topics = { ["orders"] = new TopicOptions { Cluster = "mem", Topic = "orders.v2" } } };
        Assert.True(host.Configuration.TryApply(good, out _));
        Assert.Null(host.Configuration.LastRejection);
    }
}
