using System.Text;
using Xinfra.Northguard.Client;
using Xinfra.Northguard.Metadata.Model;

namespace Xinfra.Northguard.Tests.DataPath;

public sealed class LyingFollowerTests
{
    [Fact]
    public async Task FollowerReportsOffsetItWasNeverSent_SegmentSealedAtCommitted_ProducerContinues()
    {
        await using var cluster = await DataPathCluster.StartAsync();
        ulong range = await cluster.CreateTopicAsync("lies");
        await using var producer = new NorthguardProducerClient(cluster.ClientOptions());
        for (int i = 0; i < 10; i++)
        {
            await producer.ProduceAsync("lies", new NorthguardRecord(new byte[] { 1 }, Encoding.UTF8.GetBytes($"{i}")));
        }

        var segment = (await cluster.Metadata.DescribeTopicAsync("lies")).Segments[^1];
        var leader = cluster.Engine(segment.Replicas[0]).LeaderOf(segment.Id)!;
        leader.OnDurable(segment.Replicas[1], 1_000_000);
        while ((await cluster.Metadata.DescribeTopicAsync("lies")).Segments[0].State != SegmentState.Sealed)
        {
            await Task.Delay(5);
        }

        Assert.Equal(10, (await cluster.Metadata.DescribeTopicAsync("lies")).Segments[0].EndOffset);
        var receipt = await producer.ProduceAsync("lies", new NorthguardRecord(new byte[] { 1 }, Encoding.UTF8.GetBytes("10")));
        Assert.Equal(10, receipt.Offset);
        await using var consumer = new NorthguardConsumerClient(cluster.ClientOptions());
        var records = await DataPathCluster.ReadAsync(consumer, "lies", range, 11);
        Assert.Equal(Enumerable.Range(0, 11).Select(i => $"{i}"), records.Select(r => Encoding.UTF8.GetString(r.Record.Value.Span)));
    }
}
