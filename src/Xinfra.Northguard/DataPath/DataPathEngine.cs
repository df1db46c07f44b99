using System.Collections.Concurrent;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Xinfra.Northguard.Broker;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Service;
using Xinfra.Northguard.Storage;
using Xinfra.Northguard.Storage.Devices;
using Xinfra.Northguard.Storage.Index;
using ProtocolClient = Xinfra.Northguard.Protocol.Northguard.NorthguardClient;

namespace Xinfra.Northguard.DataPath;

/// <summary>
/// One broker's data path: its fps-store, the segments it leads, and channels to its peers. Shared by the gRPC
/// handlers of <see cref="NorthguardDataService"/>.
/// </summary>
internal sealed partial class DataPathEngine : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<SegmentId, SegmentLeader> _leaders = new();
    private readonly ConcurrentDictionary<ulong, GrpcChannel> _channels = new();
    private readonly BrokerContext _context;
    private IStorageDevice? _device;
    private ISparseIndex? _index;
    private FpsStore? _store;
    private Rereplication.SegmentRereplicator? _rereplicator;
    private Retention.SegmentReclaimer? _reclaimer;
    private int _disposed;

    public DataPathEngine(BrokerContext context, DataPathOptions options, IMetadataService metadata, IBrokerDirectory directory, ILogger logger)
    {
        _context = context;
        Options = options;
        Metadata = metadata;
        Directory = directory;
        Logger = logger;
    }

    public DataPathOptions Options { get; }

    public IMetadataService Metadata { get; }

    public IBrokerDirectory Directory { get; }

    public ILogger Logger { get; }

    public TimeProvider Time => _context.TimeProvider;

    public ulong BrokerId => _context.BrokerId;

    /// <summary>The broker's shared context.</summary>
    internal BrokerContext Context => _context;

    public CancellationToken Stopping => _stopping.Token;

    public FpsStore Store => _store ?? throw new InvalidOperationException("The data path has not started.");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        string segments = Path.Combine(_context.Options.DataDirectory, "segments");
        string index = Path.Combine(_context.Options.DataDirectory, "index");
        System.IO.Directory.CreateDirectory(segments);
        System.IO.Directory.CreateDirectory(index);
        _device = Options.DeviceFactory?.Invoke(segments) ?? new FileStorageDevice(segments);
        _index = new RocksDbSparseIndex(index);
        _store = await FpsStore.OpenAsync(_device, _index, Options.Store, Time, null, cancellationToken).ConfigureAwait(false);
        _rereplicator = new Rereplication.SegmentRereplicator(this);
        _rereplicator.Start();
        _reclaimer = new Retention.SegmentReclaimer(this);
        _reclaimer.Start();
    }

    /// <summary>This broker's reclaimer of deleted segments (null before start).</summary>
    public Retention.SegmentReclaimer? Reclaimer => _reclaimer;

    /// <summary>A client for the data service of broker <paramref name="brokerId"/>.</summary>
    public ProtocolClient Peer(ulong brokerId)
    {
        string endpoint = Directory.EndpointOf(brokerId) ?? throw new InvalidOperationException($"Broker {brokerId} has no known endpoint.");
        var channel = _channels.GetOrAdd(brokerId, _ => _context.Channels.CreateChannel(endpoint));
        return new ProtocolClient(channel);
    }

    public bool IsLive(ulong brokerId)
    {
        foreach (var broker in Directory.Brokers)
        {
            if (broker.Id == brokerId)
            {
                return broker.IsLive;
            }
        }

        return false;
    }

    /// <summary>This broker's re-replicator (null before start).</summary>
    public Rereplication.SegmentRereplicator? Rereplicator => _rereplicator;

    public SegmentLeader? LeaderOf(SegmentId segment) => _leaders.GetValueOrDefault(segment);

    public void RemoveLeader(SegmentLeader leader) => _leaders.TryRemove(new KeyValuePair<SegmentId, SegmentLeader>(leader.Id, leader));

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_rereplicator is not null)
        {
            await _rereplicator.StopAsync().ConfigureAwait(false);
        }

        if (_reclaimer is not null)
        {
            await _reclaimer.StopAsync().ConfigureAwait(false);
        }

        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }

        if (_store is not null)
        {
            await _store.DisposeAsync().ConfigureAwait(false);
        }

        _index?.Dispose();
        _device?.Dispose();
    }
}
