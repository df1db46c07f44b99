using System.Text;
using Grpc.Core;
using Xinfra.Northguard.Client;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Storage;

namespace Xinfra.Northguard.Tests.DataPath;

public sealed class RetentionTrimTests
{
    [Fact]
    public async Task Consume_FromOffsetTrimmedByRetention_ClearOutOfRangeError_LaterOffsetsStillServed()
    {
        await using var cluster = await DataPathCluster.StartAsync();
        var description = await cluster.Metadata.CreateTopicAsync("trim", StoragePolicy.Default with { SegmentBytes = 1000 }, 1);
        ulong range = description.Ranges[0].Id.Value;
        await using var producer = new NorthguardProducerClient(cluster.ClientOptions());
        for (int i = 0; i < 20; i++)
        {
            await producer.ProduceAsync("trim", new NorthguardRecord(new byte[] { 1 }, Encoding.UTF8.GetBytes($"{i}".PadRight(300))));
        }

        var first = (await cluster.Metadata.DescribeTopicAsync("trim")).Segments[0];
        Assert.Equal(SegmentState.Sealed, first.State);
        long storeId = Xinfra.Northguard.DataPath.StoreIds.Of(first.Id);
        foreach (ulong replica in first.Replicas)
        {
            while (cluster.Engine(replica).Store.GetSegment(storeId) is not { IsSealed: true })
            {
                await Task.Delay(5);
            }

            var store = cluster.Engine(replica).Store;
            long keep = store.ListSegments().Where(id => id != storeId).Sum(id => store.GetSegment(id)!.SizeBytes);
            Assert.Contains(storeId, store.ApplyRetention("trim", new RetentionPolicy(null, keep + 1)));
        }

        await using var consumer = new NorthguardConsumerClient(cluster.ClientOptions());
        var error = await Assert.ThrowsAsync<ConsumeException>(async () =>
        {
            await foreach (var _ in consumer.ConsumeRangeAsync("trim", range, 0))
            {
            }
        });
        Assert.Equal(StatusCode.OutOfRange, ((RpcException)error.InnerException!).StatusCode);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var later = await consumer.ConsumeRangeAsync("trim", range, first.EndOffset, cts.Token).FirstAsync(cts.Token);
        Assert.Equal(first.EndOffset, later.Offset);
    }
}
