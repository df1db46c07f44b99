using System.Text;
using Xinfra.Northguard.Client;

namespace Xinfra.Northguard.Tests.DataPath;

/// <summary>
/// <see cref="NorthguardProducerClient.ProduceAsync"/> returns pooled receipts completed once per batch: each record
/// still gets its own offset, in call order, across reuse of the pooled sources; errors and cancellation stay per record.
/// </summary>
public sealed class ProduceAsyncReceiptTests
{
    [Fact]
    public async Task ProduceAsync_TwoRoundsOfConcurrentRecords_EachReceiptIsItsRecordsOffsetInCallOrder()
    {
        await using var cluster = await DataPathCluster.StartAsync();
        ulong range = await cluster.CreateTopicAsync("receipts");
        await using var producer = new NorthguardProducerClient(cluster.ClientOptions());
        // The first record fetches the route (offset 0).
        await producer.ProduceAsync("receipts", new NorthguardRecord(Encoding.UTF8.GetBytes("k"), Encoding.UTF8.GetBytes("route")));

        // The second round reuses the sources the first round returned to the pool.
        for (int round = 0; round < 2; round++)
        {
            var pending = new Task<NorthguardReceipt>[1000];
            for (int i = 0; i < pending.Length; i++)
            {
                pending[i] = Await(producer.ProduceAsync("receipts", new NorthguardRecord(Encoding.UTF8.GetBytes("k"), Encoding.UTF8.GetBytes($"r{round}-{i}"))));
            }

            var receipts = await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.All(receipts, r => Assert.Equal(range, r.RangeId));
            Assert.Equal(Enumerable.Range(1 + (round * 1000), 1000).Select(i => (long)i), receipts.Select(r => r.Offset));
        }

        await using var consumer = new NorthguardConsumerClient(cluster.ClientOptions());
        var records = await DataPathCluster.ReadAsync(consumer, "receipts", range, 2001);
        Assert.Equal("r1-999", Encoding.UTF8.GetString(records[2000].Record.Value.Span));

        // A plain await reads the pooled result once: the ValueTask is not a Task to keep.
        static async Task<NorthguardReceipt> Await(ValueTask<NorthguardReceipt> receipt) => await receipt;
    }

    [Fact]
    public async Task ProduceAsync_CancelledWait_ThrowsCancelledAndTheRecordIsStillWritten()
    {
        await using var cluster = await DataPathCluster.StartAsync(brokers: 1);
        await cluster.CreateTopicAsync("cancel", replicationFactor: 1);
        await using var producer = new NorthguardProducerClient(cluster.ClientOptions());
        await producer.ProduceAsync("cancel", new NorthguardRecord(Encoding.UTF8.GetBytes("k"), Encoding.UTF8.GetBytes("route")));

        var cancelled = producer.ProduceAsync("cancel", new NorthguardRecord(Encoding.UTF8.GetBytes("k"), Encoding.UTF8.GetBytes("a")), new CancellationToken(canceled: true));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.AsTask());
        var next = await producer.ProduceAsync("cancel", new NorthguardRecord(Encoding.UTF8.GetBytes("k"), Encoding.UTF8.GetBytes("b"))).AsTask().WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(2, next.Offset);
    }

    [Fact]
    public async Task ProduceAsync_BadRecordOrReadTwice_FailsInTheTaskWithATypedError()
    {
        await using var cluster = await DataPathCluster.StartAsync(brokers: 1);
        await cluster.CreateTopicAsync("bad", replicationFactor: 1);
        await using var producer = new NorthguardProducerClient(cluster.ClientOptions(o => o with { MaxRecordBytes = 100 }));
        await producer.ProduceAsync("bad", new NorthguardRecord(new byte[] { 1 }, new byte[] { 2 }));

        var tooLarge = producer.ProduceAsync("bad", new NorthguardRecord(new byte[] { 1 }, new byte[200]));
        var unknown = producer.ProduceAsync("missing", new NorthguardRecord(new byte[] { 1 }, new byte[] { 2 }));
        var once = producer.ProduceAsync("bad", new NorthguardRecord(new byte[] { 1 }, new byte[] { 2 }));
        await once;

        await Assert.ThrowsAsync<RecordTooLargeException>(() => tooLarge.AsTask());
        await Assert.ThrowsAsync<UnknownTopicException>(() => unknown.AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await once);
    }
}
