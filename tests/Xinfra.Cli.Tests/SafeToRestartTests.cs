using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Xinfra.Northguard.Client;
using Xinfra.Northguard.Cluster;
using Xinfra.Northguard.DataPath;
using Xinfra.Northguard.Metadata.Client;
using Xinfra.Northguard.Metadata.Model;

namespace Xinfra.Cli.Tests;

public sealed class SafeToRestartTests
{
    [Fact]
    public async Task SafeToRestart_ReplicaOfSealedSegmentMissing_NoUntilRereplicated()
    {
        // Re-replication passes are run by the test (interval zero), so the NO cannot be raced away by a timer.
        await using var cluster = await NorthguardCluster.StartEmbeddedAsync(4, DataPathOptions.Default with { RereplicationInterval = TimeSpan.Zero });
        string[] endpoints = [.. cluster.Brokers.Select(b => b.Endpoint)];
        var created = await Cli.RunAsync("topics", "create", "patching", "-r", "3", "--retention", "1h", "--throughput-mbps", "0.001", "-b", cluster.Bootstrap);
        Assert.True(created.ExitCode == 0, created.ToString());

        var options = new NorthguardClientOptions { Endpoints = endpoints };
        await using (var producer = new NorthguardProducerClient(options))
        {
            for (int i = 0; i < 20; i++)
            {
                await producer.ProduceAsync("patching", new NorthguardRecord(Encoding.UTF8.GetBytes($"k{i}"), Encoding.UTF8.GetBytes($"v{i}")));
            }
        }

        using var metadata = new NorthguardMetadataClient(new NorthguardMetadataClientOptions { Bootstrap = endpoints, Timeout = TimeSpan.FromSeconds(30) });
        var range = (await metadata.DescribeTopicAsync("patching")).Ranges.Single();
        using (var admin = new NorthguardAdminClient(options))
        {
            // A split seals the range's open segment: the segment under test is sealed with 20 records.
            await admin.SplitRangeAsync("patching", range.Id.Value, 1UL << 63);
        }

        var segment = (await metadata.DescribeTopicAsync("patching")).Segments.Single();
        Assert.Equal(SegmentState.Sealed, segment.State);
        Assert.Equal(20, segment.EndOffset);
        ulong checkedBroker = segment.Replicas[0];
        ulong stopped = segment.Replicas[2];
        ulong spare = cluster.Brokers.Select(b => b.BrokerId).Single(id => !segment.Replicas.Contains(id));

        var before = await Cli.RunAsync("brokers", "safe-to-restart", $"{checkedBroker}", "-b", cluster.Bootstrap);
        Assert.True(before.ExitCode == 0, before.ToString());
        Assert.StartsWith("YES", before.Out, StringComparison.Ordinal);

        await cluster.StopBrokerAsync(stopped);
        string live = cluster.Bootstrap;
        var no = await Cli.EventuallyAsync(async () =>
        {
            var r = await Cli.RunAsync("brokers", "safe-to-restart", $"{checkedBroker}", "-b", live, "--json");
            return r.ExitCode == 1 ? r : null;
        }, $"broker {stopped} to be seen as down");
        var json = no.Json();
        Assert.False(json.GetProperty("safe").GetBoolean());
        var blocking = json.GetProperty("blocking").EnumerateArray().Single();
        Assert.Equal("patching", blocking.GetProperty("topic").GetString());
        Assert.Equal(range.Id.Value, blocking.GetProperty("range").GetUInt64());
        Assert.Equal("AlreadyUnderReplicated", blocking.GetProperty("reason").GetString());
        Assert.Equal(2, blocking.GetProperty("liveReplicas").GetInt32());

        var human = await Cli.RunAsync("brokers", "safe-to-restart", $"{checkedBroker}", "-b", live);
        Assert.Equal(1, human.ExitCode);
        Assert.StartsWith("NO", human.Out, StringComparison.Ordinal);
        Assert.Contains($"{range.Id}#0", human.Out, StringComparison.Ordinal);

        var yes = await Cli.EventuallyAsync(async () =>
        {
            foreach (var broker in cluster.Brokers)
            {
                await broker.Services.GetRequiredService<DataPathEngine>().Rereplicator!.RunOnceAsync(CancellationToken.None);
            }

            var r = await Cli.RunAsync("brokers", "safe-to-restart", $"{checkedBroker}", "-b", live, "--json");
            return r.ExitCode == 0 ? r : null;
        }, "re-replication to the spare broker");
        Assert.True(yes.Json().GetProperty("safe").GetBoolean());
        var restored = (await metadata.DescribeTopicAsync("patching")).Segments.Single();
        Assert.Contains(spare, restored.Replicas);
        Assert.DoesNotContain(stopped, restored.Replicas);
    }
}
