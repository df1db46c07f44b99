using System.Text;
using Xinfra.Northguard.Client;
using Xinfra.Northguard.Metadata.Model;

namespace Xinfra.Northguard.Tests.DataPath;

public sealed class FailoverTests
{
    [Fact]
    public async Task Produce_FollowerStoppedMidStream_SegmentSealedProducerRollsNothingLostOrDuplicated()
    {
        var (segments, values) = await ProduceWhileStoppingAsync(replicaIndex: 1);
        Assert.Equal(SegmentState.Sealed, segments[0].State);
        Assert.True(segments.Count >= 2);
        Assert.Equal(Enumerable.Range(0, 400), values.Order());
    }

    [Fact]
    public async Task Produce_LeaderStoppedMidStream_SegmentSealedProducerRollsNothingLostOrDuplicated()
    {
        var (segments, values) = await ProduceWhileStoppingAsync(replicaIndex: 0);
        Assert.Equal(SegmentState.Sealed, segments[0].State);
        Assert.True(segments.Count >= 2);
        Assert.Equal(Enumerable.Range(0, 400), values.Order());
    }

    /// <summary>Produces 100 records, then 300 more while one replica of the open segment stops; reads everything back.</summary>
    private static async Task<(IReadOnlyList<SegmentInfo> Segments, List<int> Values)> ProduceWhileStoppingAsync(int replicaIndex)
    {
        await using var cluster = await DataPathCluster.StartAsync(brokers: 4, options: _ => DataPathCluster.Fast with { ReplicaTimeout = TimeSpan.FromSeconds(2) });
        ulong range = await cluster.CreateTopicAsync("failover");
        await using var producer = new NorthguardProducerClient(cluster.ClientOptions(o => o with { ProducerId = 5 }));
        static NorthguardRecord Record(int i) => new(Encoding.UTF8.GetBytes($"k{i % 7}"), Encoding.UTF8.GetBytes($"{i}"));
        await Task.WhenAll(Enumerable.Range(0, 100).Select(i => producer.ProduceAsync("failover", Record(i)).AsTask()));

        var open = (await cluster.Metadata.DescribeTopicAsync("failover")).Segments[^1];
        var rest = new List<Task<NorthguardReceipt>>();
        for (int i = 100; i < 400; i++)
        {
            rest.Add(producer.ProduceAsync("failover", Record(i)).AsTask());
            if (i == 150)
            {
                await cluster.Cluster.StopBrokerAsync(open.Replicas[replicaIndex]);
            }
        }

        var receipts = await Task.WhenAll(rest).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(300, receipts.Select(r => r.Offset).Distinct().Count());

        await using var consumer = new NorthguardConsumerClient(cluster.ClientOptions());
        var records = await DataPathCluster.ReadAsync(consumer, "failover", range, 400);
        var offsets = records.Select(r => r.Offset).ToList();
        Assert.Equal(Enumerable.Range(0, 400).Select(i => (long)i), offsets);
        var segments = (await cluster.Metadata.DescribeTopicAsync("failover")).Segments;
        return (segments, records.Select(r => int.Parse(Encoding.UTF8.GetString(r.Record.Value.Span), System.Globalization.CultureInfo.InvariantCulture)).ToList());
    }
}
