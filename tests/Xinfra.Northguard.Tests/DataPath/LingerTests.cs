using System.Text;
using Xinfra.Northguard.Client;

namespace Xinfra.Northguard.Tests.DataPath;

/// <summary>Linger is the longest wait behind unacknowledged batches, not a delay added to every record.</summary>
public sealed class LingerTests
{
    [Fact]
    public async Task Produce_LongLinger_EmptyPipeSendsAtOnceAndAckSendsTheWaitingBatch()
    {
        await using var cluster = await DataPathCluster.StartAsync();
        await cluster.CreateTopicAsync("linger");
        await using var producer = new NorthguardProducerClient(cluster.ClientOptions(o => o with { Linger = TimeSpan.FromMinutes(5) }));

        var first = await producer.ProduceAsync("linger", new NorthguardRecord(Encoding.UTF8.GetBytes("k"), Encoding.UTF8.GetBytes("a"))).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        var second = producer.ProduceAsync("linger", new NorthguardRecord(Encoding.UTF8.GetBytes("k"), Encoding.UTF8.GetBytes("b"))).AsTask();
        var third = producer.ProduceAsync("linger", new NorthguardRecord(Encoding.UTF8.GetBytes("k"), Encoding.UTF8.GetBytes("c"))).AsTask();
        var receipts = await Task.WhenAll(second, third).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(0, first.Offset);
        Assert.Equal([1L, 2L], receipts.Select(r => r.Offset));
    }
}
