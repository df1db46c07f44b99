using System.Buffers.Binary;
using Xinfra.Northguard.Client;
using Xinfra.Northguard.DataPath;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Tests.Storage;

namespace Xinfra.Northguard.Tests.DataPath.Wire;

/// <summary>
/// Batches received into pooled arrays (leader and followers) and reused append after append: every replica must store
/// exactly the bytes produced — an array returned to the pool too early would show up as a corrupt or foreign record,
/// a CRC refusal by a follower (and so a sealed segment), or a wrong value here.
/// </summary>
public sealed class PooledReplicationTests
{
    private static byte[] Value(int i)
    {
        var value = new byte[200 + (i % 50)];
        value.AsSpan().Fill((byte)i);
        BinaryPrimitives.WriteInt32LittleEndian(value, i);
        return value;
    }

    [Fact]
    public async Task ManySmallBatches_RF3_EveryReplicaStoresExactlyTheProducedRecords()
    {
        const int count = 3000;
        await using var cluster = await DataPathCluster.StartAsync(brokers: 3, _ => DataPathCluster.Fast);
        ulong range = await cluster.CreateTopicAsync("pooled", replicationFactor: 3);
        var valueAt = new int[count];   // the produced value index stored at each offset, from the receipts
        await using (var producer = new NorthguardProducerClient(cluster.ClientOptions(o => o with { BatchMaxBytes = 4096 })))
        {
            var produced = new Task<NorthguardReceipt>[count];
            for (int i = 0; i < count; i++)
            {
                produced[i] = producer.ProduceAsync("pooled", new NorthguardRecord("k"u8.ToArray(), Value(i))).AsTask();
            }

            var receipts = await Task.WhenAll(produced);
            // Records produced before the route is known keep call order too (RouteWaitOrderTests).
            Assert.Equal(Enumerable.Range(0, count).Select(i => (long)i), receipts.Select(r => r.Offset));
            for (int i = 0; i < count; i++)
            {
                valueAt[receipts[i].Offset] = i;
            }
        }

        var segments = (await cluster.Metadata.DescribeTopicAsync("pooled")).Segments;
        var segment = Assert.Single(segments);
        Assert.Equal(SegmentState.Open, segment.State);
        foreach (ulong replica in segment.Replicas)
        {
            var stored = await StorageTestKit.ReadAllAsync(cluster.Engine(replica).Store, StoreIds.Of(segment.Id));
            Assert.Equal(count, stored.Count);
            for (int i = 0; i < count; i++)
            {
                Assert.Equal(i, stored[i].Offset);
                Assert.True(Value(valueAt[i]).AsSpan().SequenceEqual(stored[i].Record.Value.Span), $"replica {replica}, offset {i}");
            }
        }

        await using var consumer = new NorthguardConsumerClient(cluster.ClientOptions());
        var read = await DataPathCluster.ReadAsync(consumer, "pooled", range, count);
        Assert.Equal(count, read.Count);
        Assert.All(read, r => Assert.True(Value(valueAt[r.Offset]).AsSpan().SequenceEqual(r.Record.Value.Span)));
    }
}
