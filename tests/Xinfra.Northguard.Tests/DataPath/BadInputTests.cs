using Grpc.Core;
using Xinfra.Northguard.Client;
using Xinfra.Northguard.Storage.Devices;

namespace Xinfra.Northguard.Tests.DataPath;

public sealed class BadInputTests
{
    [Fact]
    public async Task Produce_UnknownTopic_ThrowsUnknownTopic()
    {
        await using var cluster = await DataPathCluster.StartAsync(brokers: 1);
        await using var producer = new NorthguardProducerClient(cluster.ClientOptions());
        var error = await Assert.ThrowsAsync<UnknownTopicException>(() => producer.ProduceAsync("nope", new NorthguardRecord(new byte[] { 1 }, new byte[] { 2 })).AsTask());
        Assert.Contains("nope", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Produce_RecordOverLimit_RefusedByClientAndBroker_OthersUnaffected()
    {
        await using var cluster = await DataPathCluster.StartAsync(brokers: 1, options: _ => DataPathCluster.Fast with { MaxRecordBytes = 1000 });
        ulong range = await cluster.CreateTopicAsync("big", replicationFactor: 1);
        await using var producer = new NorthguardProducerClient(cluster.ClientOptions(o => o with { MaxRecordBytes = 1000 }));
        await Assert.ThrowsAsync<RecordTooLargeException>(() => producer.ProduceAsync("big", new NorthguardRecord(new byte[] { 1 }, new byte[2000])).AsTask());

        var (call, opened) = await cluster.OpenProduceAsync("big", range, producerId: 7);
        using (call)
        {
            var append = DataPathCluster.Append(opened.StreamId, 0, "x");
            append.Append.Records[0].Value = Google.Protobuf.ByteString.CopyFrom(new byte[2000]);
            await call.RequestStream.WriteAsync(append);
            var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
            Assert.Contains("exceeds the limit", error.Status.Detail, StringComparison.Ordinal);
        }

        var receipt = await producer.ProduceAsync("big", new NorthguardRecord(new byte[] { 1 }, new byte[10]));
        Assert.Equal(0, receipt.Offset);
    }

    [Fact]
    public async Task Produce_SequenceGap_FailedPreconditionNamingExpectedSequence()
    {
        await using var cluster = await DataPathCluster.StartAsync(brokers: 1);
        ulong range = await cluster.CreateTopicAsync("gaps", replicationFactor: 1);
        var (call, opened) = await cluster.OpenProduceAsync("gaps", range, producerId: 9);
        using (call)
        {
            await call.RequestStream.WriteAsync(DataPathCluster.Append(opened.StreamId, 0, "a"));
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            await call.RequestStream.WriteAsync(DataPathCluster.Append(opened.StreamId, 2, "c"));
            var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
            Assert.Contains("expected 1", error.Status.Detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Produce_ClientIgnoresWindow_ResourceExhausted()
    {
        var devices = new Dictionary<ulong, BlockingStorageDevice>();
        await using var cluster = await DataPathCluster.StartAsync(brokers: 1, options: id => DataPathCluster.Fast with
        {
            ProduceWindow = 4,
            ReplicaTimeout = TimeSpan.FromMinutes(5),
            DeviceFactory = dir => devices[id] = new BlockingStorageDevice(new FileStorageDevice(dir)),
        });
        ulong range = await cluster.CreateTopicAsync("window", replicationFactor: 1);
        var (call, opened) = await cluster.OpenProduceAsync("window", range, producerId: 11);
        Assert.Equal(4, opened.Window);
        devices[1].Blocked = true;
        using (call)
        {
            for (int i = 0; i < 5; i++)
            {
                await call.RequestStream.WriteAsync(DataPathCluster.Append(opened.StreamId, i, $"r{i}"));
            }

            var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
            Assert.Contains("window of 4", error.Status.Detail, StringComparison.Ordinal);
        }

        devices[1].Blocked = false;
    }
}
