using Xinfra.Northguard.Cluster;

namespace Xinfra.Cli.Tests;

/// <summary>One embedded cluster shared by the topic and broker command tests (each test uses its own topic).</summary>
public sealed class EmbeddedClusterFixture : IAsyncLifetime
{
    public NorthguardCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await NorthguardCluster.StartEmbeddedAsync(3);

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

public sealed class TopicsAndBrokersCommandTests(EmbeddedClusterFixture fixture) : IClassFixture<EmbeddedClusterFixture>
{
    private string Bootstrap => fixture.Cluster.Bootstrap;

    [Fact]
    public async Task TopicsCreate_ImpossibleThroughput_RefusedAndNotCreated()
    {
        // 100 GB/s for 30 days at RF 3 is far beyond any disk and any broker budget.
        var refused = await Cli.RunAsync("topics", "create", "impossible", "--throughput-mbps", "100000", "--retention", "30d", "-r", "3", "-b", Bootstrap, "--json");

        Assert.True(refused.ExitCode == 1, refused.ToString());
        var json = refused.Json();
        Assert.False(json.GetProperty("created").GetBoolean());
        var problems = json.GetProperty("capacity").GetProperty("problems").EnumerateArray().Select(p => p.GetString()!).ToList();
        Assert.Contains(problems, p => p.Contains("at full retention", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("budget", StringComparison.Ordinal));

        var describe = await Cli.RunAsync("topics", "describe", "impossible", "-b", Bootstrap);
        Assert.Equal(2, describe.ExitCode);
        Assert.Contains("does not exist", describe.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TopicsCreate_ImpossibleWithForce_CreatedWithWarning()
    {
        var forced = await Cli.RunAsync("topics", "create", "forced", "--throughput-mbps", "100000", "--retention", "30d", "--force", "-b", Bootstrap);

        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.Contains("warning: capacity:", forced.Error, StringComparison.Ordinal);
        Assert.Equal(0, (await Cli.RunAsync("topics", "describe", "forced", "-b", Bootstrap)).ExitCode);
    }

    [Fact]
    public async Task TopicsLifecycle_JsonOutputsParse()
    {
        var create = await Cli.RunAsync("topics", "create", "lifecycle", "--ranges", "4", "-r", "3", "--retention", "1h", "--throughput-mbps", "0.001", "-b", Bootstrap, "--json");
        Assert.True(create.ExitCode == 0, create.ToString());
        Assert.True(create.Json().GetProperty("created").GetBoolean());

        var list = await Cli.RunAsync("topics", "list", "-b", Bootstrap, "--json");
        Assert.True(list.ExitCode == 0, list.ToString());
        var topic = list.Json().EnumerateArray().Single(t => t.GetProperty("name").GetString() == "lifecycle");
        Assert.Equal(4, topic.GetProperty("activeRanges").GetInt32());
        Assert.Equal(3, topic.GetProperty("replicationFactor").GetInt32());

        var describe = await Cli.RunAsync("topics", "describe", "lifecycle", "-b", Bootstrap, "--json");
        Assert.Equal(4, describe.Json().GetProperty("ranges").GetArrayLength());

        var delete = await Cli.RunAsync("topics", "delete", "lifecycle", "-b", Bootstrap, "--json");
        Assert.True(delete.ExitCode == 0, delete.ToString());
        var after = await Cli.RunAsync("topics", "list", "-b", Bootstrap, "--json");
        Assert.DoesNotContain(after.Json().EnumerateArray(), t => t.GetProperty("name").GetString() == "lifecycle");
    }

    [Fact]
    public async Task BrokersList_Json_ReportsLivenessAndStorage()
    {
        var result = await Cli.RunAsync("brokers", "list", "-b", Bootstrap, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var brokers = result.Json().EnumerateArray().ToList();
        Assert.Equal([1UL, 2UL, 3UL], brokers.Select(b => b.GetProperty("id").GetUInt64()));
        Assert.All(brokers, b =>
        {
            Assert.True(b.GetProperty("live").GetBoolean());
            var storage = b.GetProperty("storage");
            Assert.True(storage.GetProperty("diskTotalBytes").GetInt64() > 0);
            Assert.True(storage.GetProperty("storedBytes").GetInt64() > 0, "the Raft log and WAL are under the data folder");
            Assert.Equal(100_000_000, storage.GetProperty("throughputBudgetBytesPerSecond").GetInt64());
        });
    }

    [Fact]
    public async Task SafeToRestart_UnknownBroker_FailsNamingMembers()
    {
        var result = await Cli.RunAsync("brokers", "safe-to-restart", "9", "-b", Bootstrap);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("broker 9 is not a member", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadBootstrap_UsageErrorNamingTheEntry()
    {
        var result = await Cli.RunAsync("topics", "list", "-b", "127.0.0.1:1,nohost");

        Assert.Equal(64, result.ExitCode);
        Assert.Contains("'nohost' is not host:port", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnreachableCluster_FailsWithTimeoutMessage()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var result = await Cli.RunAsync("topics", "list", "-b", $"127.0.0.1:{port}", "--timeout", "2");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("did not answer within the timeout", result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Out);
    }
}
