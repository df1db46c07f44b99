using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Xinfra.Northguard.Client;
using Xinfra.Northguard.DataPath;
using Xinfra.Northguard.Protocol;
using Xinfra.Northguard.Storage;
using Xinfra.Northguard.Storage.Format;

namespace Xinfra.Northguard.Tests.DataPath;

/// <summary>Appends sent as one pre-encoded batch (<c>ProduceAppend.batch</c>): checked at the leader, replicated as bytes.</summary>
public sealed class EncodedBatchTests
{
    private static ProduceRequest EncodedAppend(ulong streamId, long sequence, ulong producerId, long sealedSequence, params (string Value, int Pad)[] records)
    {
        using var builder = new BatchBuilder();
        foreach (var (value, pad) in records)
        {
            var header = new RecordHeader("h", Encoding.UTF8.GetBytes("v-" + value));
            builder.Add(Encoding.UTF8.GetBytes(value), Encoding.UTF8.GetBytes(value + new string('x', pad)), [header], 5, ProducerSequenceHeader.Name);
        }

        builder.Complete(producerId, sealedSequence);
        return new ProduceRequest { Append = new ProduceAppend { StreamId = streamId, Sequence = sequence, Batch = ByteString.CopyFrom(builder.Encoded.Span) } };
    }

    [Fact]
    public async Task EncodedAppend_ReplicatedOnThreeBrokers_AckedAndReadWithoutSequenceHeader()
    {
        await using var cluster = await DataPathCluster.StartAsync(brokers: 3);
        ulong range = await cluster.CreateTopicAsync("bytes", replicationFactor: 3);
        var (call, opened) = await cluster.OpenProduceAsync("bytes", range, producerId: 11);
        using (call)
        {
            await call.RequestStream.WriteAsync(EncodedAppend(opened.StreamId, 0, 11, 0, ("a", 0), ("b", 0)));
            await call.RequestStream.WriteAsync(EncodedAppend(opened.StreamId, 1, 11, 1, ("c", 0)));
            var acked = new List<long>();
            while (acked.Count < 2)
            {
                Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
                acked.AddRange(call.ResponseStream.Current.Ack.BaseOffsets);
            }

            Assert.Equal([0L, 2L], acked);
        }

        await using var consumer = new NorthguardConsumerClient(cluster.ClientOptions());
        var records = await DataPathCluster.ReadAsync(consumer, "bytes", range, 3);
        Assert.Equal(["a", "b", "c"], records.Select(r => Encoding.UTF8.GetString(r.Record.Value.Span)));
        Assert.All(records, r => Assert.Equal("h", Assert.Single(r.Record.Headers!).Name));
        Assert.Equal("v-c", Encoding.UTF8.GetString(records[2].Record.Headers![0].Value.Span));
    }

    [Theory]
    [InlineData("sequence", "must be ng.seq")]
    [InlineData("size", "exceeds the limit")]
    [InlineData("crc", "CRC32C")]
    [InlineData("both", "both records and an encoded batch")]
    public async Task EncodedAppend_BadBatch_InvalidArgumentAndStreamEndsOthersUnaffected(string fault, string expected)
    {
        await using var cluster = await DataPathCluster.StartAsync(brokers: 1, options: _ => DataPathCluster.Fast with { MaxRecordBytes = 1000 });
        ulong range = await cluster.CreateTopicAsync("bad", replicationFactor: 1);
        var (call, opened) = await cluster.OpenProduceAsync("bad", range, producerId: 3);
        using (call)
        {
            var append = fault switch
            {
                "sequence" => EncodedAppend(opened.StreamId, 0, 3, sealedSequence: 5, ("a", 0)),
                "size" => EncodedAppend(opened.StreamId, 0, 3, 0, ("a", 0), ("b", 1200)),
                _ => EncodedAppend(opened.StreamId, 0, 3, 0, ("a", 0)),
            };
            if (fault == "crc")
            {
                var bytes = append.Append.Batch.ToByteArray();
                bytes[^1] ^= 1;
                append.Append.Batch = ByteString.CopyFrom(bytes);
            }
            else if (fault == "both")
            {
                append.Append.Records.Add(new Protocol.Record { Value = ByteString.CopyFromUtf8("z") });
            }

            await call.RequestStream.WriteAsync(append);
            var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
            Assert.Contains(expected, error.Status.Detail, StringComparison.Ordinal);
        }

        await using var producer = new NorthguardProducerClient(cluster.ClientOptions(o => o with { MaxRecordBytes = 1000 }));
        var receipt = await producer.ProduceAsync("bad", new NorthguardRecord(new byte[] { 1 }, new byte[990]));
        Assert.Equal(0, receipt.Offset);
    }
}
