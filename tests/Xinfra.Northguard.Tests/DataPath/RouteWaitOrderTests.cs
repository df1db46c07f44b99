using System.Text;
using Xinfra.Northguard.Client;

namespace Xinfra.Northguard.Tests.DataPath;

/// <summary>
/// Records produced while the producer has no route for their topic yet (its first records) keep the order of the
/// calls: they wait in line for the route instead of each resuming on the thread pool in whatever order it runs them.
/// </summary>
public sealed class RouteWaitOrderTests
{
    [Fact]
    public async Task ProduceAsync_ManyRecordsBeforeTheRouteIsKnown_AreWrittenInCallOrder()
    {
        await using var cluster = await DataPathCluster.StartAsync();
        ulong range = await cluster.CreateTopicAsync("first-records");
        await using var producer = new NorthguardProducerClient(cluster.ClientOptions());

        var pending = new Task<NorthguardReceipt>[3000];
        for (int i = 0; i < pending.Length; i++)
        {
            pending[i] = producer.ProduceAsync("first-records", new NorthguardRecord(Encoding.UTF8.GetBytes("k"), Encoding.UTF8.GetBytes($"r{i}"))).AsTask();
        }

        var receipts = await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.All(receipts, r => Assert.Equal(range, r.RangeId));
        Assert.Equal(Enumerable.Range(0, pending.Length).Select(i => (long)i), receipts.Select(r => r.Offset));
        await using var consumer = new NorthguardConsumerClient(cluster.ClientOptions());
        var records = await DataPathCluster.ReadAsync(consumer, "first-records", range, pending.Length);
        Assert.Equal(Enumerable.Range(0, pending.Length).Select(i => $"r{i}"), records.Select(r => Encoding.UTF8.GetString(r.Record.Value.Span)));
    }

    [Fact]
    public async Task ProduceAsync_RecordsOfSeveralTopicsBeforeTheirRoutes_EachTopicKeepsCallOrder()
    {
        await using var cluster = await DataPathCluster.StartAsync(brokers: 1);
        ulong a = await cluster.CreateTopicAsync("order-a", replicationFactor: 1);
        ulong b = await cluster.CreateTopicAsync("order-b", replicationFactor: 1);
        await using var producer = new NorthguardProducerClient(cluster.ClientOptions());

        var pending = new List<(string Topic, Task<NorthguardReceipt> Receipt)>();
        for (int i = 0; i < 2000; i++)
        {
            string topic = i % 2 == 0 ? "order-a" : "order-b";
            pending.Add((topic, producer.ProduceAsync(topic, new NorthguardRecord(Encoding.UTF8.GetBytes("k"), Encoding.UTF8.GetBytes($"r{i}"))).AsTask()));
        }

        await Task.WhenAll(pending.Select(p => p.Receipt)).WaitAsync(TimeSpan.FromSeconds(30));

        foreach (var (topic, range) in new[] { ("order-a", a), ("order-b", b) })
        {
            var offsets = pending.Where(p => p.Topic == topic).Select(p => p.Receipt.Result).ToList();
            Assert.All(offsets, r => Assert.Equal(range, r.RangeId));
            Assert.Equal(Enumerable.Range(0, 1000).Select(i => (long)i), offsets.Select(r => r.Offset));
        }
    }
}
