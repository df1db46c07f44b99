using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Xinfra.Northguard.Broker;
using Xinfra.Northguard.Metadata.Network;
using Xinfra.Northguard.Metadata.Raft;
using Xinfra.Northguard.Metadata.Raft.Durable;
using Xinfra.Northguard.Metadata.Raft.Hosting;
using Xinfra.Northguard.Metadata.Ring;
using Xinfra.Northguard.Metadata.Service;

namespace Xinfra.Northguard.Metadata.Hosting;

/// <summary>
/// The metadata layer of one running broker: the <see cref="RaftWal"/> in its data folder, a <see cref="RaftHost"/>
/// with the vnode groups this broker replicates, the gRPC transport, and the single loop that owns them. Every
/// input (ticks from a <see cref="PeriodicTimer"/> on the broker's <see cref="TimeProvider"/>, received batches,
/// proposals, reads) is an item of that loop; after each run of items the loop calls
/// <see cref="RaftHost.ProcessReady"/> once, so the groups share one fsync and one batch per peer.
/// </summary>
public sealed partial class MetadataHost : IAsyncDisposable
{
    private readonly BrokerContext _context;
    private readonly MetadataModuleOptions _options;
    private readonly Channel<Action> _inbox = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<int, VnodeCoordinator> _coordinators = [];
    private ILogger _logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private RaftWal? _wal;
    private RaftHost? _host;
    private GrpcRaftTransport? _transport;
    private Task _loop = Task.CompletedTask;
    private Task _ticker = Task.CompletedTask;
    private long _ticks;
    private int _ledVnodes;
    private int _hostedVnodes;

    internal MetadataHost(BrokerContext context, MetadataModuleOptions options)
    {
        _context = context;
        _options = options;
        Ring = new VnodeRing(options.VnodeCount);
        Directory = new BrokerDirectory(context.BrokerId, Ring, options.Membership, options.ReplicationFactor,
            options.LivenessTimeoutTicks, context.Options.Attributes);
    }

    /// <summary>The vnode ring.</summary>
    public VnodeRing Ring { get; }

    /// <summary>This broker's id.</summary>
    public ulong BrokerId => _context.BrokerId;

    /// <summary>The broker's clock (seal times, retention).</summary>
    internal TimeProvider Time => _context.TimeProvider;

    /// <summary>The vnodes this broker replicates.</summary>
    public IReadOnlyCollection<int> HostedVnodes => _coordinators.Keys;

    /// <summary>The transport (its counters are useful to tests and benchmarks).</summary>
    public GrpcRaftTransport Transport => _transport ?? throw new InvalidOperationException("The metadata host has not started.");

    /// <summary>How many fsyncs the WAL issued, and how many persist rounds the host ran.</summary>
    public (long Syncs, long Batches, long Readies) Counters => (_wal?.SyncCount ?? 0, _host?.Batches ?? 0, _host?.ReadiesProcessed ?? 0);

    internal BrokerDirectory Directory { get; }

    /// <summary>How many vnodes this broker led at its last tick (read by the metrics gauge from any thread).</summary>
    internal int LedVnodeCount => Volatile.Read(ref _ledVnodes);

    /// <summary>How many vnodes this broker replicates.</summary>
    internal int HostedVnodeCount => Volatile.Read(ref _hostedVnodes);

    internal CancellationToken Stopping => _stopping.Token;

    /// <summary>Whether the host was disposed.</summary>
    internal bool Stopped => _stopping.IsCancellationRequested;

    internal MetadataModuleOptions Options => _options;

    internal void Start(ILoggerFactory loggerFactory)
    {
        _logger = loggerFactory.CreateLogger("Xinfra.Northguard.Metadata");
        _options.Membership.SetEndpoint(BrokerId, _context.Endpoint!);
        _wal = RaftWal.Open(Path.Combine(_context.Options.DataDirectory, "metadata"));
        _transport = new GrpcRaftTransport(BrokerId, _options.Membership, _context.TimeProvider, _logger) { Channels = _context.Channels };
        _host = new RaftHost(BrokerId, _wal, _transport) { CompactEvery = _options.CompactEvery };
        for (int v = 0; v < Ring.Count; v++)
        {
            var replicas = _options.Membership.ReplicasOf(v, _options.ReplicationFactor);
            if (!replicas.Contains(BrokerId))
            {
                continue;
            }

            var coordinator = new VnodeCoordinator(v, BrokerId);
            var random = new Random(unchecked((((_options.Seed * 397) ^ (int)BrokerId) * 397) ^ v));
            coordinator.Node = _host.AddGroup((ulong)v, coordinator, random, replicas,
                o => o with { ElectionTick = _options.ElectionTicks });
            _coordinators[v] = coordinator;
        }

        Volatile.Write(ref _hostedVnodes, _coordinators.Count);
        MetadataMetrics.Observe(_context.Meter, this);
        LogStarted(_logger, BrokerId, _coordinators.Count, Ring.Count);
        _loop = Task.Run(RunLoopAsync);
        _ticker = Task.Run(RunTickerAsync);
    }

    /// <summary>Runs <paramref name="action"/> on the loop and returns its result.</summary>
    internal async Task<T> InvokeAsync<T>(Func<T> action, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() =>
        {
            try
            {
                done.TrySetResult(action());
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        });
        return await Await(done.Task, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts an operation on the loop (a proposal or read) and waits for it, within the request timeout.</summary>
    internal async Task<T> RunAsync<T>(Func<Task<T>> start, CancellationToken cancellationToken)
    {
        var started = await InvokeAsync(start, cancellationToken).ConfigureAwait(false);
        return await Await(started, cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> Await<T>(Task<T> task, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        try
        {
            return await task.WaitAsync(_options.RequestTimeout, _context.TimeProvider, linked.Token).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            throw new MetadataUnavailableException($"No outcome within {_options.RequestTimeout} on broker {BrokerId}; the vnode may have no leader.", e);
        }
        catch (OperationCanceledException e) when (_stopping.IsCancellationRequested)
        {
            throw new MetadataUnavailableException($"Broker {BrokerId} is stopping.", e);
        }
    }

    /// <summary>Queues <paramref name="action"/> for the loop (dropped once stopping).</summary>
    internal void Post(Action action) => _inbox.Writer.TryWrite(action);

    /// <summary>The coordinator of a hosted vnode (loop only), or a <see cref="NotLeaderException"/> hinting at its leader.</summary>
    internal VnodeCoordinator Coordinator(int vnode) =>
        _coordinators.TryGetValue(vnode, out var coordinator)
            ? coordinator
            : throw new NotLeaderException($"Vnode {vnode} is not hosted on broker {BrokerId}.", vnode, Directory.LeaderOf(vnode));

    /// <summary>Whether this broker leads <paramref name="vnode"/> now.</summary>
    public Task<bool> IsLeaderAsync(int vnode, CancellationToken cancellationToken = default) =>
        InvokeAsync(() => _coordinators.TryGetValue(vnode, out var c) && c.Node!.Role == RaftRole.Leader, cancellationToken);

    /// <summary>
    /// This broker's view of <paramref name="vnode"/>'s leadership: whether it leads now, its current term, and the
    /// leader it knows (0 when none).
    /// </summary>
    internal Task<(bool Leading, long Term, ulong Leader)> LeadershipAsync(int vnode, CancellationToken cancellationToken = default) =>
        InvokeAsync(() => _coordinators.TryGetValue(vnode, out var c) && c.Node is { } node
            ? (node.Role == RaftRole.Leader, node.Term, node.Leader != 0 ? node.Leader : Directory.LeaderOf(vnode))
            : (false, 0L, Directory.LeaderOf(vnode)), cancellationToken);

    /// <summary>The longest an isolated leader keeps leading: check-quorum steps it down within two election timeouts.</summary>
    internal TimeSpan StepDownBound => 2 * _options.ElectionTicks * _options.TickPeriod;

    /// <summary>Stops the loop and the timer, fails pending requests, closes the transport and the WAL.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _inbox.Writer.TryComplete();
        await Task.WhenAll(_loop, _ticker).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (_transport is not null)
        {
            await _transport.DisposeAsync().ConfigureAwait(false);
        }

        // _stopping is deliberately not disposed: late gRPC calls still link to its token and see it cancelled.
        _wal?.Dispose();
    }
}
