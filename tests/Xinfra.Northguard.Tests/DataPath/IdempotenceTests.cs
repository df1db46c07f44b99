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

    /// <summary>
    /// A producer that never saw the ack of its last append resends it after the range rolled more than once: brokers
    /// that died right after a segment opened leave empty sealed segments in between. The append is found in the
    /// older segment and acknowledged at its original offset, not written again.
    /// </summary>
    [Fact]
    public async Task Produce_ResentAcrossEmptySealedSegments_FoundInTheOlderSegmentAndWrittenOnce()
    {
        await using var cluster = await DataPathCluster.StartAsync();
        ulong range = await cluster.CreateTopicAsync("skip");
        var (first, opened) = await cluster.OpenProduceAsync("skip", range, producerId: 77);
        using (first)
        {
            await first.RequestStream.WriteAsync(DataPathCluster.Append(opened.StreamId, 0, "a", "b"));
            Assert.True(await first.ResponseStream.MoveNext(CancellationToken.None));
            await first.RequestStream.WriteAsync(DataPathCluster.Append(opened.StreamId, 1, "c"));
            Assert.True(await first.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal([2L], first.ResponseStream.Current.Ack.BaseOffsets);
        }

        var segment0 = (await cluster.Metadata.DescribeTopicAsync("skip")).Segments[0];
        await cluster.Engine(segment0.Replicas[0]).LeaderOf(segment0.Id)!.SealAsync("test");
        var empty = await cluster.Metadata.OpenSegmentAsync(new Xinfra.Northguard.Metadata.Ring.RangeId(range), segment0.Replicas);
        await cluster.Metadata.SealSegmentAsync(empty, 3);

        var (second, reopened) = await cluster.OpenProduceAsync("skip", range, producerId: 77, firstSequence: 1, ackedEndOffset: 2, resend: true);
        using (second)
        {
            Assert.Equal(2, reopened.SegmentSequence);
            await second.RequestStream.WriteAsync(DataPathCluster.Append(reopened.StreamId, 1, "c"));
            Assert.True(await second.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal([2L], second.ResponseStream.Current.Ack.BaseOffsets);
            await second.RequestStream.WriteAsync(DataPathCluster.Append(reopened.StreamId, 2, "d"));
            Assert.True(await second.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal([3L], second.ResponseStream.Current.Ack.BaseOffsets);
        }

        await using var consumer = new NorthguardConsumerClient(cluster.ClientOptions());
        var records = await DataPathCluster.ReadAsync(consumer, "skip", range, 4);
        Assert.Equal(["a", "b", "c", "d"], records.Select(r => System.Text.Encoding.UTF8.GetString(r.Record.Value.Span)));
    }
}
