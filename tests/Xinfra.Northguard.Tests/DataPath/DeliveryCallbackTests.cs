using System.Collections.Concurrent;
using System.Text;
using Xinfra.Northguard.Client;

namespace Xinfra.Northguard.Tests.DataPath;

/// <summary><see cref="NorthguardProducerClient.Produce"/>: one delivery callback per record instead of a task.</summary>
public sealed class DeliveryCallbackTests
{
    [Fact]
    public async Task Produce_WithCallbacks_EachRecordDeliveredOnceInOffsetOrderAndReadable()
    {
        await using var cluster = await DataPathCluster.StartAsync();
        ulong range = await cluster.CreateTopicAsync("cb");
        await using var producer = new NorthguardProducerClient(cluster.ClientOptions());
        var delivered = new ConcurrentQueue<(int Index, NorthguardReceipt Receipt, XinfraException? Error)>();
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        for (int i = 0; i < 500; i++)
        {
            int index = i;
            producer.Produce("cb", new NorthguardRecord(Encoding.UTF8.GetBytes("k"), Encoding.UTF8.GetBytes($"v{i}")), (receipt, error) =>
            {
                delivered.Enqueue((index, receipt, error));
                if (delivered.Count == 500)
                {
                    all.TrySetResult();
                }
            });
        }

        await all.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var list = delivered.ToList();
        Assert.All(list, d => Assert.Null(d.Error));
        Assert.Equal(Enumerable.Range(0, 500), list.Select(d => d.Index));
        Assert.Equal(Enumerable.Range(0, 500).Select(i => (long)i), list.Select(d => d.Receipt.Offset));
        await using var consumer = new NorthguardConsumerClient(cluster.ClientOptions());
        var records = await DataPathCluster.ReadAsync(consumer, "cb", range, 500);
        Assert.Equal("v499", Encoding.UTF8.GetString(records[499].Record.Value.Span));
    }

    [Fact]
    public async Task Produce_UnknownTopic_CallbackGetsUnknownTopic_TooLargeThrows()
    {
        await using var cluster = await DataPathCluster.StartAsync(brokers: 1);
        await using var producer = new NorthguardProducerClient(cluster.ClientOptions(o => o with { MaxRecordBytes = 100 }));
        var failed = new TaskCompletionSource<XinfraException?>(TaskCreationOptions.RunContinuationsAsynchronously);

        producer.Produce("missing", new NorthguardRecord(new byte[] { 1 }, new byte[] { 2 }), (_, error) => failed.TrySetResult(error));

        Assert.IsType<UnknownTopicException>(await failed.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Throws<RecordTooLargeException>(() => producer.Produce("missing", new NorthguardRecord(new byte[] { 1 }, new byte[200]), (_, _) => { }));
    }
}
