using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Xinfra.Northguard.Client;
using Xinfra.Northguard.Cluster;
using Xinfra.Northguard.DataPath;
using Xinfra.Northguard.Metadata.Hosting;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Service;

namespace Xinfra.Northguard.Tests.Retention;

/// <summary>
/// Retention end to end on an embedded cluster: the vnode leader deletes expired segments, every replica drops its
/// files, and a consumer reading from offset 0 continues from the oldest record kept; a deleted topic's files go too.
/// </summary>
public sealed class RetentionClusterTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ExpiredSegments_AreDeletedEverywhere_AndReadersSkipToTheOldestRecordKept()
    {
        await using var cluster = await StartAsync();
        var metadata = cluster.Brokers[0].Services.GetRequiredService<IMetadataService>();
        var policy = StoragePolicy.Default with { RetentionTime = TimeSpan.FromSeconds(2), SegmentAge = TimeSpan.FromMilliseconds(500) };
        var topic = await metadata.CreateTopicAsync("expiring", policy, 1);
        ulong range = topic.Ranges[0].Id.Value;
        var options = new NorthguardClientOptions { Endpoints = [.. cluster.Brokers.Select(b => b.Endpoint)] };
        await using var producer = new NorthguardProducerClient(options);

        await ProduceAsync(producer, "expiring", 0, 20);
        var first = (await metadata.DescribeTopicAsync("expiring")).Segments[0];
        await WaitUntilAsync(async () => (await metadata.DescribeTopicAsync("expiring")).Segments[0].State == SegmentState.Sealed);
        await ProduceAsync(producer, "expiring", 20, 20);
        await WaitUntilAsync(async () => (await metadata.DescribeTopicAsync("expiring")).Segments[0].State == SegmentState.Deleted);

        long storeId = StoreIds.Of(first.Id);
        await WaitUntilAsync(() => Task.FromResult(first.Replicas.All(r => Engine(cluster, r).Store.GetSegment(storeId) is null)));

        var description = await metadata.DescribeTopicAsync("expiring");
        long oldestKept = description.Segments.Where(s => s.State == SegmentState.Deleted).Max(s => s.EndOffset);
        Assert.True(oldestKept > 0);
        await using var consumer = new NorthguardConsumerClient(options);
        using var cts = new CancellationTokenSource(Deadline);
        await foreach (var record in consumer.ConsumeRangeAsync("expiring", range, 0, cts.Token))
        {
            Assert.Equal(oldestKept, record.Offset);
            break;
        }
    }

    [Fact]
    public async Task DeletedTopic_ItsSegmentFilesAreDroppedByEveryReplica()
    {
        await using var cluster = await StartAsync();
        var metadata = cluster.Brokers[0].Services.GetRequiredService<IMetadataService>();
        await metadata.CreateTopicAsync("doomed", StoragePolicy.Default, 1);
        var options = new NorthguardClientOptions { Endpoints = [.. cluster.Brokers.Select(b => b.Endpoint)] };
        await using (var producer = new NorthguardProducerClient(options))
        {
            await ProduceAsync(producer, "doomed", 0, 10);
        }

        var segment = (await metadata.DescribeTopicAsync("doomed")).Segments[0];
        long storeId = StoreIds.Of(segment.Id);
        Assert.All(segment.Replicas, r => Assert.NotNull(Engine(cluster, r).Store.GetSegment(storeId)));

        await metadata.DeleteTopicAsync("doomed");
        await WaitUntilAsync(() => Task.FromResult(segment.Replicas.All(r => Engine(cluster, r).Store.GetSegment(storeId) is null)));
    }

    private static Task<NorthguardCluster> StartAsync() =>
        NorthguardCluster.StartAsync(new NorthguardClusterOptions
        {
            Brokers = 3,
            Modules = MetadataModule.ForCluster(3,
                m => new MetadataModuleOptions { Membership = m, VnodeCount = 8, TickPeriod = TimeSpan.FromMilliseconds(50), RetentionEveryTicks = 4 },
                _ => [new DataPathModule(DataPathOptions.Default with { ReclaimInterval = TimeSpan.FromMilliseconds(300) })]),
        }).ContinueWith(async t =>
        {
            await t.Result.WaitUntilReadyAsync(Deadline);
            return t.Result;
        }).Unwrap();

    private static DataPathEngine Engine(NorthguardCluster cluster, ulong broker) =>
        cluster.Broker(broker).Services.GetRequiredService<DataPathEngine>();

    private static async Task ProduceAsync(NorthguardProducerClient producer, string topic, int from, int count)
    {
        for (int i = from; i < from + count; i++)
        {
            await producer.ProduceAsync(topic, new NorthguardRecord(Encoding.UTF8.GetBytes($"k{i}"), Encoding.UTF8.GetBytes($"v{i}")));
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var cts = new CancellationTokenSource(Deadline);
        while (!await condition())
        {
            await Task.Delay(50, cts.Token);
        }
    }
}
