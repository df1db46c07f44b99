using System.Text;
using Google.Protobuf;
using Xinfra.Northguard.Client;
using Xinfra.Northguard.DataPath;
using Xinfra.Northguard.Protocol;
using Xinfra.Northguard.Storage.Devices;

namespace Xinfra.Northguard.Tests.DataPath;

/// <summary>
/// Consume passthrough: brokers push stored batches as bytes to clients that accept them, records one by one to the
/// others and wherever a batch does not fit; both forms yield the same records.
/// </summary>
public sealed class ConsumePassthroughTests
{
    private const int PerAppend = 10;

    [Fact]
    public async Task Consume_BothForms_SameRecordsHeadersOffsetsAndTimestamps()
    {
        await using var cluster = await DataPathCluster.StartAsync();
        ulong range = await cluster.CreateTopicAsync("both");
        await ProduceAppendsAsync(cluster, "both", range, producerId: 1, appends: 5);

        var batched = await ReadAsync(cluster, "both", range, 0, 50, acceptStoredBatches: true);
        var perRecord = await ReadAsync(cluster, "both", range, 0, 50, acceptStoredBatches: false);

        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), batched.Select(r => r.Offset));
        AssertSame(perRecord, batched);
        Assert.Equal("k7", Encoding.UTF8.GetString(batched[7].Record.Key.Span));
        Assert.Equal(1007, batched[7].Record.Timestamp);
        Assert.Equal(["trace", "empty"], batched[0].Record.Headers!.Select(h => h.Name));
    }

    [Fact]
    public async Task Consume_AcceptingBatches_BrokerPushesWholeStoredBatches()
    {
        await using var cluster = await DataPathCluster.StartAsync();
        ulong range = await cluster.CreateTopicAsync("whole");
        await ProduceAppendsAsync(cluster, "whole", range, producerId: 2, appends: 3);

        using var call = await StartRawAsync(cluster, "whole", range, 0, 1000, 1 << 20, accept: true);
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var push = call.ResponseStream.Current.Batch;
        Assert.Empty(push.Records);
        Assert.NotEmpty(push.StoredBatches);
        var records = new List<NorthguardConsumedRecord>();
        foreach (var stored in push.StoredBatches)
        {
            StoredBatchReader.Read("whole", range, stored, 0, records);
        }

        Assert.Equal(Enumerable.Range(0, records.Count).Select(i => (long)i), records.Select(r => r.Offset));
        Assert.Equal(0, records.Count % PerAppend);
        Assert.All(records, r => Assert.DoesNotContain(r.Record.Headers!, h => h.Name == "ng.seq"));
    }

    [Fact]
    public async Task Consume_ResumeMidBatch_RestOfThatBatchAsRecordsThenWholeBatches()
    {
        await using var cluster = await DataPathCluster.StartAsync();
        ulong range = await cluster.CreateTopicAsync("mid");
        await ProduceAppendsAsync(cluster, "mid", range, producerId: 3, appends: 4);

        using var call = await StartRawAsync(cluster, "mid", range, 15, 1000, 1 << 20, accept: true);
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var first = call.ResponseStream.Current.Batch;
        Assert.Empty(first.StoredBatches);
        Assert.Equal([15L, 16, 17, 18, 19], first.Records.Select(r => r.Offset));
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var second = call.ResponseStream.Current.Batch;
        Assert.Empty(second.Records);
        Assert.NotEmpty(second.StoredBatches);

        var batched = await ReadAsync(cluster, "mid", range, 15, 25, acceptStoredBatches: true);
        var perRecord = await ReadAsync(cluster, "mid", range, 15, 25, acceptStoredBatches: false);
        Assert.Equal(Enumerable.Range(15, 25).Select(i => (long)i), batched.Select(r => r.Offset));
        AssertSame(perRecord, batched);
    }

    [Fact]
    public async Task Consume_CrossingSealedIntoActiveSegment_SameRecordsAsPerRecord()
    {
        await using var cluster = await DataPathCluster.StartAsync();
        ulong range = await cluster.CreateTopicAsync("roll");
        await ProduceAppendsAsync(cluster, "roll", range, producerId: 4, appends: 2);
        var sealedSegment = (await cluster.Metadata.DescribeTopicAsync("roll")).Segments[0];
        await cluster.Engine(sealedSegment.Replicas[0]).LeaderOf(sealedSegment.Id)!.SealAsync("test");
        await ProduceAppendsAsync(cluster, "roll", range, producerId: 5, appends: 2, firstValue: 20);
        Assert.Equal(2, (await cluster.Metadata.DescribeTopicAsync("roll")).Segments.Count);

        var batched = await ReadAsync(cluster, "roll", range, 0, 40, acceptStoredBatches: true);
        var perRecord = await ReadAsync(cluster, "roll", range, 0, 40, acceptStoredBatches: false);
        Assert.Equal(Enumerable.Range(0, 40).Select(i => (long)i), batched.Select(r => r.Offset));
        AssertSame(perRecord, batched);
        Assert.Equal("v25", Encoding.UTF8.GetString(batched[25].Record.Value.Span));
    }

    [Fact]
    public async Task Consume_BatchBiggerThanCredits_FallsBackToRecordsWithinTheCredits()
    {
        await using var cluster = await DataPathCluster.StartAsync();
        ulong range = await cluster.CreateTopicAsync("small");
        await ProduceAppendsAsync(cluster, "small", range, producerId: 6, appends: 2);

        using var call = await StartRawAsync(cluster, "small", range, 0, 4, 1 << 20, accept: true);
        long granted = 4;
        long received = 0;
        var offsets = new List<long>();
        while (received < 2 * PerAppend)
        {
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            var push = call.ResponseStream.Current.Batch;
            Assert.Empty(push.StoredBatches);
            received += push.Records.Count;
            offsets.AddRange(push.Records.Select(r => r.Offset));
            Assert.True(received <= granted, $"Received {received} records with {granted} granted.");
            if (received == granted)
            {
                await call.RequestStream.WriteAsync(new ConsumeRequest { Credit = new ConsumeCredit { Records = 4, Bytes = 0 } });
                granted += 4;
            }
        }

        Assert.Equal(Enumerable.Range(0, 2 * PerAppend).Select(i => (long)i), offsets);
    }

    [Fact]
    public async Task Consume_OldFormClient_GetsRecordsOnlyWithoutReservedHeaders()
    {
        await using var cluster = await DataPathCluster.StartAsync();
        ulong range = await cluster.CreateTopicAsync("old");
        await ProduceAppendsAsync(cluster, "old", range, producerId: 7, appends: 2);

        using var call = await StartRawAsync(cluster, "old", range, 0, 1000, 1 << 20, accept: false);
        var offsets = new List<long>();
        while (offsets.Count < 2 * PerAppend)
        {
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            var push = call.ResponseStream.Current.Batch;
            Assert.Empty(push.StoredBatches);
            Assert.All(push.Records, r => Assert.DoesNotContain(r.Record.Headers, h => h.Name == "ng.seq"));
            offsets.AddRange(push.Records.Select(r => r.Offset));
        }

        Assert.Equal(Enumerable.Range(0, 2 * PerAppend).Select(i => (long)i), offsets);
    }

    [Fact]
    public async Task Consume_TailingTheOpenSegment_NoBatchPushedBeyondTheCommittedOffset()
    {
        var devices = new Dictionary<ulong, BlockingStorageDevice>();
        await using var cluster = await DataPathCluster.StartAsync(options: id => DataPathCluster.Fast with
        {
            ReplicaTimeout = TimeSpan.FromMinutes(5),
            DeviceFactory = dir => devices[id] = new BlockingStorageDevice(new FileStorageDevice(dir)),
        });
        ulong range = await cluster.CreateTopicAsync("tail");
        await ProduceAppendsAsync(cluster, "tail", range, producerId: 8, appends: 1);
        var segment = (await cluster.Metadata.DescribeTopicAsync("tail")).Segments[^1];
        using var call = await StartRawAsync(cluster, "tail", range, 0, 1000, 1 << 20, accept: true);
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Single(call.ResponseStream.Current.Batch.StoredBatches);

        devices[segment.Replicas[^1]].Blocked = true;
        var (produce, opened) = await cluster.OpenProduceAsync("tail", range, producerId: 9);
        using (produce)
        {
            await produce.RequestStream.WriteAsync(DataPathCluster.Append(opened.StreamId, 0, "a", "b", "c"));
            var leaderStore = cluster.Engine(segment.Replicas[0]).Store;
            while (leaderStore.GetSegment(StoreIds.Of(segment.Id))!.NextOffset < PerAppend + 3)
            {
                await Task.Delay(5);
            }

            var next = call.ResponseStream.MoveNext(CancellationToken.None);
            await Task.Delay(300);
            Assert.False(next.IsCompleted, "A batch not yet durable on every replica was pushed.");
            devices[segment.Replicas[^1]].Blocked = false;
            Assert.True(await next.WaitAsync(TimeSpan.FromSeconds(20)));
            var push = call.ResponseStream.Current.Batch;
            var records = new List<NorthguardConsumedRecord>();
            foreach (var stored in push.StoredBatches)
            {
                StoredBatchReader.Read("tail", range, stored, PerAppend, records);
            }

            records.AddRange(push.Records.Select(r => new NorthguardConsumedRecord(range, r.Offset, default)));
            Assert.Equal([10L, 11, 12], records.Select(r => r.Offset));
        }
    }

    /// <summary>Produces <paramref name="appends"/> appends of <see cref="PerAppend"/> records each (one stored batch each).</summary>
    private static async Task ProduceAppendsAsync(DataPathCluster cluster, string topic, ulong range, ulong producerId, int appends, int firstValue = 0)
    {
        var (call, opened) = await cluster.OpenProduceAsync(topic, range, producerId);
        using (call)
        {
            for (int a = 0; a < appends; a++)
            {
                var append = new ProduceAppend { StreamId = opened.StreamId, Sequence = a };
                for (int r = 0; r < PerAppend; r++)
                {
                    int i = firstValue + a * PerAppend + r;
                    var record = new Protocol.Record { Key = ByteString.CopyFromUtf8($"k{i}"), Value = ByteString.CopyFromUtf8($"v{i}"), Timestamp = 1000 + i };
                    record.Headers.Add(new Header { Name = "trace", Value = ByteString.CopyFromUtf8($"t{i}") });
                    record.Headers.Add(new Header { Name = "empty", Value = ByteString.Empty });
                    append.Records.Add(record);
                }

                await call.RequestStream.WriteAsync(new ProduceRequest { Append = append });
                Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
                Assert.Equal(ProduceResponse.KindOneofCase.Ack, call.ResponseStream.Current.KindCase);
            }
        }
    }

    private static async Task<List<NorthguardConsumedRecord>> ReadAsync(DataPathCluster cluster, string topic, ulong range, long from, int count, bool acceptStoredBatches)
    {
        await using var consumer = new NorthguardConsumerClient(cluster.ClientOptions()) { AcceptStoredBatches = acceptStoredBatches };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var records = new List<NorthguardConsumedRecord>();
        await foreach (var record in consumer.ConsumeRangeAsync(topic, range, from, cts.Token))
        {
            records.Add(record);
            if (records.Count == count)
            {
                break;
            }
        }

        return records;
    }

    private static async Task<Grpc.Core.AsyncDuplexStreamingCall<ConsumeRequest, ConsumeResponse>> StartRawAsync(DataPathCluster cluster, string topic, ulong range,
        long offset, int creditRecords, long creditBytes, bool accept)
    {
        var segment = (await cluster.Metadata.DescribeTopicAsync(topic)).Segments[^1];
        var call = cluster.Client(segment.Replicas[0]).Consume();
        await call.RequestStream.WriteAsync(new ConsumeRequest
        {
            Start = new ConsumeStart { Topic = topic, RangeId = range, Offset = offset, CreditRecords = creditRecords, CreditBytes = creditBytes, AcceptStoredBatches = accept },
        });
        return call;
    }

    private static void AssertSame(List<NorthguardConsumedRecord> expected, List<NorthguardConsumedRecord> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            var (e, a) = (expected[i], actual[i]);
            Assert.Equal(e.RangeId, a.RangeId);
            Assert.Equal(e.Offset, a.Offset);
            Assert.Equal(e.Record.Key.ToArray(), a.Record.Key.ToArray());
            Assert.Equal(e.Record.Value.ToArray(), a.Record.Value.ToArray());
            Assert.Equal(e.Record.Timestamp, a.Record.Timestamp);
            Assert.Equal(e.Record.Headers!.Select(h => (h.Name, Convert.ToHexString(h.Value.Span))), a.Record.Headers!.Select(h => (h.Name, Convert.ToHexString(h.Value.Span))));
        }
    }
}
