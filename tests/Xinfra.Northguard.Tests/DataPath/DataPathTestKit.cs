using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Xinfra.Northguard.Client;
using Xinfra.Northguard.Cluster;
using Xinfra.Northguard.DataPath;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Protocol;
using Xinfra.Northguard.Storage.Devices;

namespace Xinfra.Northguard.Tests.DataPath;

/// <summary>A real embedded cluster with the local metadata module and the data path, plus helpers.</summary>
internal sealed class DataPathCluster : IAsyncDisposable
{
    private readonly List<GrpcChannel> _channels = [];

    private DataPathCluster(NorthguardCluster cluster, LocalMetadataService metadata)
    {
        Cluster = cluster;
        Metadata = metadata;
    }

    public NorthguardCluster Cluster { get; }

    public LocalMetadataService Metadata { get; }

    public static async Task<DataPathCluster> StartAsync(int brokers = 3, Func<ulong, DataPathOptions>? options = null)
    {
        var metadata = new LocalMetadataService();
        var directory = new LocalBrokerDirectory();
        var cluster = await NorthguardCluster.StartAsync(new NorthguardClusterOptions
        {
            Brokers = brokers,
            Modules = o => [new LocalMetadataModule(metadata, directory), new DataPathModule(options?.Invoke(o.BrokerId) ?? Fast)],
        });
        return new DataPathCluster(cluster, metadata);
    }

    public static DataPathOptions Fast { get; } = new() { Store = new Xinfra.Northguard.Storage.FpsStoreOptions { GroupCommitWindow = TimeSpan.FromMilliseconds(1) } };

    public NorthguardClientOptions ClientOptions(Func<NorthguardClientOptions, NorthguardClientOptions>? change = null)
    {
        var options = new NorthguardClientOptions { Endpoints = [.. Cluster.Brokers.Select(b => b.Endpoint)] };
        return change is null ? options : change(options);
    }

    public async Task<ulong> CreateTopicAsync(string name, int replicationFactor = 3, int ranges = 1)
    {
        var description = await Metadata.CreateTopicAsync(name, StoragePolicy.Default with { ReplicationFactor = replicationFactor }, ranges);
        return description.Ranges[0].Id.Value;
    }

    public Protocol.Northguard.NorthguardClient Client(ulong brokerId)
    {
        var channel = GrpcChannel.ForAddress(Cluster.Broker(brokerId).Endpoint);
        _channels.Add(channel);
        return new Protocol.Northguard.NorthguardClient(channel);
    }

    public DataPathEngine Engine(ulong brokerId) => Cluster.Broker(brokerId).Services.GetRequiredService<DataPathEngine>();

    /// <summary>Opens a raw produce stream on the range's segment leader (following a redirect).</summary>
    public async Task<(AsyncDuplexStreamingCall<ProduceRequest, ProduceResponse> Call, ProduceOpened Opened)> OpenProduceAsync(string topic, ulong range, ulong producerId,
        long firstSequence = 0, long ackedEndOffset = -1, bool resend = false)
    {
        var client = Client(Cluster.Brokers[0].BrokerId);
        for (int i = 0; i < 3; i++)
        {
            var call = client.Produce();
            await call.RequestStream.WriteAsync(new ProduceRequest
            {
                Open = new ProduceOpen { Topic = topic, RangeId = range, ProducerId = producerId, FirstSequence = firstSequence, AckedEndOffset = ackedEndOffset, Resend = resend },
            });
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            var response = call.ResponseStream.Current;
            if (response.KindCase == ProduceResponse.KindOneofCase.Opened)
            {
                return (call, response.Opened);
            }

            call.Dispose();
            var channel = GrpcChannel.ForAddress(response.Redirect.Endpoint);
            _channels.Add(channel);
            client = new Protocol.Northguard.NorthguardClient(channel);
        }

        throw new InvalidOperationException("No leader.");
    }

    public static ProduceRequest Append(ulong streamId, long sequence, params string[] values)
    {
        var append = new ProduceAppend { StreamId = streamId, Sequence = sequence };
        foreach (string value in values)
        {
            append.Records.Add(new Protocol.Record { Key = Google.Protobuf.ByteString.CopyFromUtf8(value), Value = Google.Protobuf.ByteString.CopyFromUtf8(value), Timestamp = 1 });
        }

        return new ProduceRequest { Append = append };
    }

    public static async Task<List<NorthguardConsumedRecord>> ReadAsync(NorthguardConsumerClient consumer, string topic, ulong range, int count)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var records = new List<NorthguardConsumedRecord>();
        await foreach (var record in consumer.ConsumeRangeAsync(topic, range, 0, cts.Token))
        {
            records.Add(record);
            if (records.Count == count)
            {
                break;
            }
        }

        return records;
    }

    /// <summary>Reads <paramref name="total"/> records of the whole topic; the integer values per UTF-8 key, in read order.</summary>
    public static async Task<Dictionary<string, List<int>>> ReadValuesByKeyAsync(NorthguardConsumerClient consumer, string topic, int total)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var seen = new Dictionary<string, List<int>>();
        int read = 0;
        await foreach (var record in consumer.ConsumeTopicAsync(topic, cts.Token))
        {
            string key = System.Text.Encoding.UTF8.GetString(record.Record.Key.Span);
            if (!seen.TryGetValue(key, out var values))
            {
                seen[key] = values = [];
            }

            values.Add(int.Parse(System.Text.Encoding.UTF8.GetString(record.Record.Value.Span), System.Globalization.CultureInfo.InvariantCulture));
            if (++read == total)
            {
                break;
            }
        }

        return seen;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }

        await Cluster.DisposeAsync();
    }
}

/// <summary>A device whose WAL fsyncs wait while <see cref="Blocked"/> is set.</summary>
internal sealed class BlockingStorageDevice(IStorageDevice inner) : IStorageDevice
{
    private readonly ManualResetEventSlim _open = new(initialState: true);

    public bool Blocked
    {
        get => !_open.IsSet;
        set
        {
            if (value)
            {
                _open.Reset();
            }
            else
            {
                _open.Set();
            }
        }
    }

    public StorageIoMode IoMode => inner.IoMode;

    public IReadOnlyList<string> ListFiles() => inner.ListFiles();

    public IStorageFile Open(string name, bool create) => new File(inner.Open(name, create), this);

    public void Delete(string name) => inner.Delete(name);

    public void Dispose()
    {
        _open.Set();
        inner.Dispose();
    }

    private sealed class File(IStorageFile inner, BlockingStorageDevice device) : IStorageFile
    {
        public string Name => inner.Name;

        public long Length => inner.Length;

        public void Append(ReadOnlySpan<byte> data) => inner.Append(data);

        public int Read(long position, Span<byte> buffer) => inner.Read(position, buffer);

        public void Flush()
        {
            if (Name.StartsWith("wal-", StringComparison.Ordinal))
            {
                device._open.Wait();
            }

            inner.Flush();
        }

        public void Truncate(long length) => inner.Truncate(length);

        public void Dispose() => inner.Dispose();
    }
}
