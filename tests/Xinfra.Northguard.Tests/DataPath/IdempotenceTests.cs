using Xinfra.Northguard.Client;
using Xinfra.Northguard.Protocol;

namespace Xinfra.Northguard.Tests.DataPath;

public sealed class IdempotenceTests
{
    [Fact]
    public async Task Produce_AppendResentOnNewStream_AckedWithOriginalOffsetAndWrittenOnce()
    {
        await using var cluster = await DataPathCluster.StartAsync();
        ulong range = await cluster.CreateTopicAsync("idem");
        var (first, opened) = await cluster.OpenProduceAsync("idem", range, producerId: 42);
        ProduceAck ack;
        using (first)
        {
            await first.RequestStream.WriteAsync(DataPathCluster.Append(opened.StreamId, 0, "a", "b"));
            Assert.True(await first.ResponseStream.MoveNext(CancellationToken.None));
            ack = first.ResponseStream.Current.Ack;
        }

        Assert.Equal(0, ack.FirstSequence);
        Assert.Equal([0L], ack.BaseOffsets);

        var (second, reopened) = await cluster.OpenProduceAsync("idem", range, producerId: 42);
        using (second)
        {
            await second.RequestStream.WriteAsync(DataPathCluster.Append(reopened.StreamId, 0, "a", "b"));
            Assert.True(await second.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal([0L], second.ResponseStream.Current.Ack.BaseOffsets);
            await second.RequestStream.WriteAsync(DataPathCluster.Append(reopened.StreamId, 1, "c"));
            Assert.True(await second.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal(1, second.ResponseStream.Current.Ack.FirstSequence);
            Assert.Equal([2L], second.ResponseStream.Current.Ack.BaseOffsets);
        }

        await using var consumer = new NorthguardConsumerClient(cluster.ClientOptions());
        var records = await DataPathCluster.ReadAsync(consumer, "idem", range, 3);
        Assert.Equal(["a", "b", "c"], records.Select(r => System.Text.Encoding.UTF8.GetString(r.Record.Value.Span)));
    }
}
