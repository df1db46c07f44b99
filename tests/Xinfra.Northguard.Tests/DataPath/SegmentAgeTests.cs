using System.Text;
using Xinfra.Northguard.Client;
using Xinfra.Northguard.Metadata.Model;

namespace Xinfra.Northguard.Tests.DataPath;

public sealed class SegmentAgeTests
{
    [Fact]
    public async Task OpenSegmentOlderThanPolicyAge_Sealed_ProducerContinuesOnNextSegment()
    {
        await using var cluster = await DataPathCluster.StartAsync(options: _ => DataPathCluster.Fast with { ReplicaTimeout = TimeSpan.FromMilliseconds(400) });
        var description = await cluster.Metadata.CreateTopicAsync("aged", StoragePolicy.Default with { SegmentAge = TimeSpan.FromSeconds(2) }, 1);
        ulong range = description.Ranges[0].Id.Value;
        await using var producer = new NorthguardProducerClient(cluster.ClientOptions());
        Assert.Equal(0, (await producer.ProduceAsync("aged", new NorthguardRecord(new byte[] { 1 }, Encoding.UTF8.GetBytes("0")))).Offset);
        while ((await cluster.Metadata.DescribeTopicAsync("aged")).Segments[0].State != SegmentState.Sealed)
        {
            await Task.Delay(20);
        }

        Assert.Equal(1, (await cluster.Metadata.DescribeTopicAsync("aged")).Segments[0].EndOffset);
        Assert.Equal(1, (await producer.ProduceAsync("aged", new NorthguardRecord(new byte[] { 1 }, Encoding.UTF8.GetBytes("1")))).Offset);
        await using var consumer = new NorthguardConsumerClient(cluster.ClientOptions());
        var records = await DataPathCluster.ReadAsync(consumer, "aged", range, 2);
        Assert.Equal(["0", "1"], records.Select(r => Encoding.UTF8.GetString(r.Record.Value.Span)));
    }
}
