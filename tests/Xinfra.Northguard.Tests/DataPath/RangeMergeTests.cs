using System.Text;
using Xinfra.Northguard.Client;

namespace Xinfra.Northguard.Tests.DataPath;

public sealed class RangeMergeTests
{
    [Fact]
    public async Task MergeDuringProduce_ConsumerReadsBothParentsBeforeTheChild_PerKeyOrderKept()
    {
        await using var cluster = await DataPathCluster.StartAsync();
        await cluster.CreateTopicAsync("merge", ranges: 2);
        await using var consumer = new NorthguardConsumerClient(cluster.ClientOptions());
        var parents = await consumer.GetRangesAsync("merge");
        await using var producer = new NorthguardProducerClient(cluster.ClientOptions());
        const int keys = 8;
        const int perKey = 60;
        int produced = 0;
        var merged = new TaskCompletionSource<ulong>(TaskCreationOptions.RunContinuationsAsynchronously);
        var writers = Enumerable.Range(0, keys).Select(k => Task.Run(async () =>
        {
            for (int i = 0; i < perKey; i++)
            {
                await producer.ProduceAsync("merge", new NorthguardRecord(Encoding.UTF8.GetBytes($"key{k}"), Encoding.UTF8.GetBytes($"{i}")));
                if (Interlocked.Increment(ref produced) == keys * perKey / 3)
                {
                    using var admin = new NorthguardAdminClient(cluster.ClientOptions());
                    merged.SetResult(await admin.MergeRangesAsync("merge", parents[0].RangeId, parents[1].RangeId));
                }
            }
        })).ToArray();
        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(30));
        ulong child = await merged.Task;

        var ranges = await consumer.GetRangesAsync("merge");
        Assert.Equal(3, ranges.Count);
        var childRange = Assert.Single(ranges, r => r.IsActive);
        Assert.Equal(child, childRange.RangeId);
        Assert.Equal([parents[0].RangeId, parents[1].RangeId], childRange.Parents);
        Assert.Equal((0UL, ulong.MaxValue), (childRange.KeyStart, childRange.KeyEnd));

        var seen = await DataPathCluster.ReadValuesByKeyAsync(consumer, "merge", keys * perKey);
        Assert.Equal(keys, seen.Count);
        foreach (var values in seen.Values)
        {
            Assert.Equal(Enumerable.Range(0, perKey), values);
        }
    }
}
