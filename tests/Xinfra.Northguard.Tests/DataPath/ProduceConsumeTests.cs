using System.Text;
using Xinfra.Northguard.Client;
using Xinfra.Northguard.DataPath;
using Xinfra.Northguard.Protocol;
using Xinfra.Northguard.Storage;
using Xinfra.Northguard.Storage.Devices;

namespace Xinfra.Northguard.Tests.DataPath;

public sealed class ProduceConsumeTests
{
    [Fact]
    public async Task ProduceThenConsume_ThreeReplicas_RecordsKeepKeysValuesHeadersAndOrder()
    {
        await using var cluster = await DataPathCluster.StartAsync();
        ulong range = await cluster.CreateTopicAsync("orders");
        await using var producer = new NorthguardProducerClient(cluster.ClientOptions());
        var receipts = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => producer.ProduceAsync("orders", new NorthguardRecord(
            Encoding.UTF8.GetBytes($"k{i}"), Encoding.UTF8.GetBytes($"v{i}"),
            [new RecordHeader("trace", Encoding.UTF8.GetBytes($"t{i}")), new RecordHeader("empty", ReadOnlyMemory<byte>.Empty)], 1000 + i)).AsTask()));

        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), receipts.Select(r => r.Offset).Order());
        await using var consumer = new NorthguardConsumerClient(cluster.ClientOptions());
        var records = await DataPathCluster.ReadAsync(consumer, "orders", range, 100);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), records.Select(r => r.Offset));
        foreach (var (receipt, i) in receipts.Select((r, i) => (r, i)))
        {
            var record = records[(int)receipt.Offset].Record;
            Assert.Equal($"k{i}", Encoding.UTF8.GetString(record.Key.Span));
            Assert.Equal($"v{i}", Encoding.UTF8.GetString(record.Value.Span));
            Assert.Equal(1000 + i, record.Timestamp);
            Assert.Equal(["trace", "empty"], record.Headers!.Select(h => h.Name));
            Assert.Equal($"t{i}", Encoding.UTF8.GetString(record.Headers![0].Value.Span));
        }
    }

    [Fact]
    public async Task Produce_OneReplicaFsyncBlocked_AckHeldUntilItIsDurableThere()
    {
        var devices = new Dictionary<ulong, BlockingStorageDevice>();
        await using var cluster = await DataPathCluster.StartAsync(options: id => DataPathCluster.Fast with
        {
            ReplicaTimeout = TimeSpan.FromMinutes(5),
            DeviceFactory = dir => devices[id] = new BlockingStorageDevice(new FileStorageDevice(dir)),
        });
        ulong range = await cluster.CreateTopicAsync("held");
        await using var producer = new NorthguardProducerClient(cluster.ClientOptions());
        await producer.ProduceAsync("held", new NorthguardRecord(Encoding.UTF8.GetBytes("a"), Encoding.UTF8.GetBytes("first")));
        var segment = (await cluster.Metadata.DescribeTopicAsync("held")).Segments[^1];
        ulong blocked = segment.Replicas[^1];
        devices[blocked].Blocked = true;

        var pending = producer.ProduceAsync("held", new NorthguardRecord(Encoding.UTF8.GetBytes("b"), Encoding.UTF8.GetBytes("second"))).AsTask();
        long storeId = StoreIds.Of(segment.Id);
        foreach (ulong replica in segment.Replicas.Where(r => r != blocked))
        {
            while (cluster.Engine(replica).Store.GetSegment(storeId)!.NextOffset < 2)
            {
                await Task.Delay(5);
            }
        }

        Assert.False(pending.IsCompleted);
        Assert.Equal(1, cluster.Engine(segment.Replicas[0]).LeaderOf(segment.Id)!.Committed);
        devices[blocked].Blocked = false;
        var receipt = await pending.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(1, receipt.Offset);
    }

    [Fact]
    public async Task Consume_CreditsGranted_ServerNeverPushesMoreThanGranted()
    {
        await using var cluster = await DataPathCluster.StartAsync();
        ulong range = await cluster.CreateTopicAsync("credits");
        await using var producer = new NorthguardProducerClient(cluster.ClientOptions());
        await Task.WhenAll(Enumerable.Range(0, 50).Select(i => producer.ProduceAsync("credits", new NorthguardRecord(new byte[] { 1 }, new byte[100])).AsTask()));

        var segment = (await cluster.Metadata.DescribeTopicAsync("credits")).Segments[^1];
        using var call = cluster.Client(segment.Replicas[0]).Consume();
        await call.RequestStream.WriteAsync(new ConsumeRequest { Start = new ConsumeStart { Topic = "credits", RangeId = range, Offset = 0, CreditRecords = 7, CreditBytes = 1 << 20 } });
        long granted = 7;
        long received = 0;
        var offsets = new List<long>();
        while (received < 50)
        {
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            var batch = call.ResponseStream.Current.Batch;
            received += batch.Records.Count;
            offsets.AddRange(batch.Records.Select(r => r.Offset));
            Assert.True(received <= granted, $"Received {received} records with {granted} granted.");
            if (received == granted)
            {
                await call.RequestStream.WriteAsync(new ConsumeRequest { Credit = new ConsumeCredit { Records = 7, Bytes = 0 } });
                granted += 7;
            }
        }

        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), offsets);
    }

    [Fact]
    public async Task LocalDataPathCluster_StartsBrokersWithTheDataPath_ProduceAndConsumeWork()
    {
        var local = new LocalDataPathCluster();
        await using var cluster = await local.StartAsync(brokers: 1);
        var description = await local.Metadata.CreateTopicAsync("local", Xinfra.Northguard.Metadata.Model.StoragePolicy.Default with { ReplicationFactor = 1 }, 1);
        var options = new NorthguardClientOptions { Endpoints = [cluster.Bootstrap] };
        await using var producer = new NorthguardProducerClient(options);
        Assert.Equal(0, (await producer.ProduceAsync("local", new NorthguardRecord(new byte[] { 1 }, new byte[] { 2 }))).Offset);
        await using var consumer = new NorthguardConsumerClient(options);
        var records = await DataPathCluster.ReadAsync(consumer, "local", description.Ranges[0].Id.Value, 1);
        Assert.Equal(new byte[] { 2 }, records[0].Record.Value.ToArray());
    }

    [Fact]
    public async Task Consume_ResumeFromOffset_StartsThere()
    {
        await using var cluster = await DataPathCluster.StartAsync();
        ulong range = await cluster.CreateTopicAsync("resume");
        await using var producer = new NorthguardProducerClient(cluster.ClientOptions());
        var receipts = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => producer.ProduceAsync("resume", new NorthguardRecord(new byte[] { 1 }, Encoding.UTF8.GetBytes($"{i}"))).AsTask()));
        int produced = Array.FindIndex(receipts, r => r.Offset == 15);
        await using var consumer = new NorthguardConsumerClient(cluster.ClientOptions());
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var first = await consumer.ConsumeRangeAsync("resume", range, 15, cts.Token).FirstAsync(cts.Token);
        Assert.Equal(15, first.Offset);
        Assert.Equal($"{produced}", Encoding.UTF8.GetString(first.Record.Value.Span));
    }
}
