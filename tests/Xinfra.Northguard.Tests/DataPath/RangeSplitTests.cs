using System.Text;
using Xinfra.Northguard.Client;

namespace Xinfra.Northguard.Tests.DataPath;

public sealed class RangeSplitTests
{
    [Fact]
    public async Task SplitDuringProduce_ConsumerReadsParentBeforeChildren_PerKeyOrderKept()
    {
        await using var cluster = await DataPathCluster.StartAsync();
        ulong range = await cluster.CreateTopicAsync("split");
        await using var producer = new NorthguardProducerClient(cluster.ClientOptions());
        const int keys = 8;
        const int perKey = 60;
        int produced = 0;
        var splitDone = new TaskCompletionSource();
        var writers = Enumerable.Range(0, keys).Select(k => Task.Run(async () =>
        {
            for (int i = 0; i < perKey; i++)
            {
                await producer.ProduceAsync("split", new NorthguardRecord(Encoding.UTF8.GetBytes($"key{k}"), Encoding.UTF8.GetBytes($"{i}")));
                if (Interlocked.Increment(ref produced) == keys * perKey / 3)
                {
                    using var admin = new NorthguardAdminClient(cluster.ClientOptions());
                    await admin.SplitRangeAsync("split", range, 1UL << 63);
                    splitDone.SetResult();
                }
            }
        })).ToArray();
        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(30));
        await splitDone.Task;

        await using var consumer = new NorthguardConsumerClient(cluster.ClientOptions());
        var ranges = await consumer.GetRangesAsync("split");
        Assert.Equal(3, ranges.Count);
        Assert.False(ranges[0].IsActive);

        var seen = await DataPathCluster.ReadValuesByKeyAsync(consumer, "split", keys * perKey);
        Assert.Equal(keys, seen.Count);
        foreach (var values in seen.Values)
        {
            Assert.Equal(Enumerable.Range(0, perKey), values);
        }
    }
}
