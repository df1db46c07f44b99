using System.Text;
using System.Text.Json.Nodes;
using Xinfra.Northguard.Client;
using Xinfra.Northguard.Cluster;
using Xinfra.Northguard.Metadata.Client;
using Xinfra.Northguard.Metadata.Model;

namespace Xinfra.Cli.Tests;

public sealed class BackupRestoreTests : IDisposable
{
    private const string Topic = "events";
    private const string Group = "billing";
    private readonly string _folder = Directory.CreateTempSubdirectory("xinfra-cli-backup-").FullName;

    private static NorthguardRecord Record(int i) => new(Encoding.UTF8.GetBytes($"key-{i % 7}"), Encoding.UTF8.GetBytes($"value-{i}"));

    [Fact]
    public async Task BackupRestore_FreshCluster_GroupResumesFromCommittedPositions()
    {
        string file = Path.Combine(_folder, "metadata.json");
        var committed = new Dictionary<(ulong KeyStart, ulong KeyEnd), long>();
        var produced = new Dictionary<(ulong KeyStart, ulong KeyEnd), List<string>>();
        List<(ulong KeyStart, ulong KeyEnd)> layout;

        await using (var source = await NorthguardCluster.StartEmbeddedAsync(3))
        {
            var options = new NorthguardClientOptions { Endpoints = [.. source.Brokers.Select(b => b.Endpoint)] };
            using var metadata = Metadata(source);
            var created = await Cli.RunAsync("topics", "create", Topic, "--ranges", "2", "-r", "3", "--retention", "2h", "--throughput-mbps", "0.001", "-b", source.Bootstrap);
            Assert.True(created.ExitCode == 0, created.ToString());

            // An uneven layout (range 1 split at a quarter of the key space) that restore must reproduce.
            var second = (await metadata.DescribeTopicAsync(Topic)).Ranges[1];
            using (var admin = new NorthguardAdminClient(options))
            {
                await admin.SplitRangeAsync(Topic, second.Id.Value, second.KeyStart + (second.KeyEnd - second.KeyStart) / 4);
            }

            await metadata.SetAclAsync(Topic, "app:billing", AclOperations.Consume | AclOperations.Describe);
            await metadata.PutDocumentAsync("routes/events", Encoding.UTF8.GetBytes("""{"cluster":"northguard-a"}"""), 0);

            var ranges = await ProduceAsync(options, metadata);
            layout = [.. ranges.Keys];
            await using var consumer = new NorthguardConsumerClient(options);
            foreach (var (bounds, (rangeId, values)) in ranges)
            {
                produced[bounds] = values;
                committed[bounds] = values.Count / 2;
                await consumer.CommitAsync(Group, Topic, rangeId, values.Count / 2);
            }

            var backup = await Cli.RunAsync("metadata", "backup", "--out", file, "-b", source.Bootstrap, "--json");
            Assert.True(backup.ExitCode == 0, backup.ToString());
            Assert.Equal(3, backup.Json().GetProperty("positions").GetInt32());
        }

        await using var target = await NorthguardCluster.StartEmbeddedAsync(3);
        var restore = await Cli.RunAsync("metadata", "restore", "--in", file, "-b", target.Bootstrap, "--json");
        Assert.True(restore.ExitCode == 0, restore.ToString());
        var summary = restore.Json();
        Assert.Equal(1, summary.GetProperty("topicsCreated").GetInt32());
        Assert.Equal(3, summary.GetProperty("positions").GetInt32());
        Assert.Equal(0, summary.GetProperty("positionsSkipped").GetInt32());

        var targetOptions = new NorthguardClientOptions { Endpoints = [.. target.Brokers.Select(b => b.Endpoint)] };
        using var targetMetadata = Metadata(target);
        var description = await targetMetadata.DescribeTopicAsync(Topic);
        Assert.Equal(2, description.Topic.Policy.RetentionTime!.Value.TotalHours);
        Assert.Equal(layout.Order(), description.Ranges.Where(r => r.State == RangeState.Active).Select(r => (r.KeyStart, r.KeyEnd)).Order());
        Assert.Equal(AclOperations.Consume | AclOperations.Describe, await targetMetadata.GetAclAsync(Topic, "app:billing"));
        Assert.Equal("""{"cluster":"northguard-a"}""", Encoding.UTF8.GetString((await targetMetadata.GetDocumentAsync("routes/events"))!.Content.Span));

        // The records are not part of a metadata backup: replay the same records, then the group continues where it
        // had committed in each range, without the records it had already processed.
        var replayed = await ProduceAsync(targetOptions, targetMetadata);
        await using var resumed = new NorthguardConsumerClient(targetOptions);
        foreach (var (bounds, (rangeId, values)) in replayed)
        {
            Assert.Equal(produced[bounds], values);
            long? position = await resumed.FetchPositionAsync(Group, Topic, rangeId);
            Assert.Equal(committed[bounds], position);
            var read = await ReadAsync(resumed, rangeId, position!.Value, values.Count - (int)position.Value);
            Assert.Equal(values.Skip((int)position.Value), read);
        }

        var again = await Cli.RunAsync("metadata", "restore", "--in", file, "-b", target.Bootstrap);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("not empty", again.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restore_EditedFile_RefusedForChecksum()
    {
        string file = Path.Combine(_folder, "edited.json");
        await using var cluster = await NorthguardCluster.StartEmbeddedAsync(3);
        Assert.Equal(0, (await Cli.RunAsync("topics", "create", "small", "-r", "3", "--throughput-mbps", "0.001", "-b", cluster.Bootstrap)).ExitCode);
        Assert.Equal(0, (await Cli.RunAsync("metadata", "backup", "--out", file, "-b", cluster.Bootstrap)).ExitCode);

        var root = JsonNode.Parse(await File.ReadAllTextAsync(file))!;
        root["body"]!["topics"]![0]!["policy"]!["replicationFactor"] = 1;
        await File.WriteAllTextAsync(file, root.ToJsonString());
        var result = await Cli.RunAsync("metadata", "restore", "--in", file, "-b", cluster.Bootstrap, "--force");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("corrupt: checksum", result.Error, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static NorthguardMetadataClient Metadata(NorthguardCluster cluster) =>
        new(new NorthguardMetadataClientOptions { Bootstrap = [.. cluster.Brokers.Select(b => b.Endpoint)], Timeout = TimeSpan.FromSeconds(30) });

    /// <summary>Produces 40 records; returns, per active range (by key bounds), its id and the values in offset order.</summary>
    private static async Task<Dictionary<(ulong, ulong), (ulong RangeId, List<string> Values)>> ProduceAsync(NorthguardClientOptions options, NorthguardMetadataClient metadata)
    {
        var active = (await metadata.DescribeTopicAsync(Topic)).Ranges.Where(r => r.State == RangeState.Active).ToList();
        var result = active.ToDictionary(r => (r.KeyStart, r.KeyEnd), r => (r.Id.Value, new List<string>()));
        await using var producer = new NorthguardProducerClient(options);
        for (int i = 0; i < 40; i++)
        {
            var receipt = await producer.ProduceAsync(Topic, Record(i));
            var range = active.Single(r => r.Id.Value == receipt.RangeId);
            var values = result[(range.KeyStart, range.KeyEnd)].Item2;
            Assert.Equal(values.Count, receipt.Offset);
            values.Add($"value-{i}");
        }

        Assert.All(result.Values, r => Assert.NotEmpty(r.Item2));
        return result;
    }

    private static async Task<List<string>> ReadAsync(NorthguardConsumerClient consumer, ulong rangeId, long from, int count)
    {
        var read = new List<string>();
        if (count == 0)
        {
            return read;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var record in consumer.ConsumeRangeAsync(Topic, rangeId, from, timeout.Token))
        {
            read.Add(Encoding.UTF8.GetString(record.Record.Value.Span));
            if (read.Count == count)
            {
                break;
            }
        }

        return read;
    }
}
