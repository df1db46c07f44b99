using System.Collections.Concurrent;
using Xinfra.Northguard.Metadata.Cluster;
using Xinfra.Northguard.Metadata.Network;
using Xinfra.Northguard.Metadata.Placement;
using Xinfra.Northguard.Metadata.Ring;
using Xinfra.Northguard.Metadata.Service;

namespace Xinfra.Northguard.Metadata.Client;

/// <summary>
/// A Northguard cluster's metadata over gRPC: learns the ring and the brokers from any bootstrap broker, caches each
/// vnode's leader, sends each request there, and on <see cref="NotLeaderException"/> follows the hint (or, with no
/// leader known, waits <see cref="NorthguardMetadataClientOptions.RetryDelay"/> and tries again); an unreachable broker
/// is skipped. Gives up after <see cref="NorthguardMetadataClientOptions.Timeout"/> with the last error.
/// A write whose broker failed mid-call may have been applied: a retried create can report that the topic exists.
/// Thread-safe.
/// </summary>
public sealed partial class NorthguardMetadataClient : IMetadataService, IDisposable
{
    private readonly NorthguardMetadataClientOptions _options;
    private readonly ConcurrentDictionary<string, GrpcMetadataConnection> _connections = new();
    private readonly ConcurrentDictionary<int, string> _leaders = new();
    private readonly ConcurrentDictionary<ulong, string> _endpoints = new();
    private readonly SemaphoreSlim _discovery = new(1, 1);
    private readonly Security.ChannelSecurity _security;
    private VnodeRing? _ring;
    private int _next;
    private long _redirects;

    /// <summary>Creates a client; nothing is contacted before the first call.</summary>
    public NorthguardMetadataClient(NorthguardMetadataClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Bootstrap is null || options.Bootstrap.Count == 0)
        {
            throw new ArgumentException("At least one bootstrap endpoint is required.", nameof(options));
        }

        _options = options;
        _security = Security.ChannelSecurity.ForClient(options.Security);
    }

    /// <summary>How many NotLeader answers were followed.</summary>
    public long Redirects => Interlocked.Read(ref _redirects);

    /// <summary>The cached leader endpoint of <paramref name="vnode"/>, or null.</summary>
    public string? CachedLeader(int vnode) => _leaders.TryGetValue(vnode, out var endpoint) ? endpoint : null;

    /// <summary>The ring, once learnt.</summary>
    public async ValueTask<VnodeRing> GetRingAsync(CancellationToken cancellationToken = default)
    {
        if (_ring is { } ring)
        {
            return ring;
        }

        await DiscoverAsync(cancellationToken).ConfigureAwait(false);
        return _ring!;
    }

    /// <summary>The brokers (with liveness) as some broker sees them.</summary>
    public ValueTask<IReadOnlyList<BrokerInfo>> ListBrokersAsync(CancellationToken cancellationToken = default) =>
        AnyBrokerAsync(c => c.ListBrokersAsync(cancellationToken), cancellationToken);

    /// <summary>The vnode table (replicas, last known leader and term) as some broker sees it.</summary>
    public ValueTask<IReadOnlyList<VnodeAssignment>> DescribeVnodesAsync(CancellationToken cancellationToken = default) =>
        AnyBrokerAsync(c => c.DescribeVnodesAsync(cancellationToken), cancellationToken);

    /// <summary>Closes every channel.</summary>
    public void Dispose()
    {
        foreach (var connection in _connections.Values)
        {
            connection.Dispose();
        }

        _connections.Clear();
        _discovery.Dispose();
        _security.Dispose();
    }

    private async ValueTask DiscoverAsync(CancellationToken cancellationToken)
    {
        await _discovery.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var vnodes = await AnyBrokerAsync(c => c.DescribeVnodesAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
            var brokers = await AnyBrokerAsync(c => c.ListBrokersAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
            foreach (var b in brokers.Where(b => b.Port != 0))
            {
                _endpoints[b.Id] = $"{_security.Scheme}://{b.Host}:{b.Port}";
            }

            _ring ??= new VnodeRing(vnodes.Count);
        }
        finally
        {
            _discovery.Release();
        }
    }

    private GrpcMetadataConnection Connection(string endpoint) =>
        _connections.GetOrAdd(endpoint, ep => new GrpcMetadataConnection(_security.Address(ep), noProxy: !_options.UseBrokerProxy, _security));

    private string NextEndpoint()
    {
        var known = _endpoints.Values.Concat(_options.Bootstrap).Distinct().Order(StringComparer.Ordinal).ToArray();
        return known[(int)((uint)Interlocked.Increment(ref _next) % (uint)known.Length)];
    }

    private async ValueTask<T> AnyBrokerAsync<T>(Func<GrpcMetadataConnection, ValueTask<T>> request, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.Timeout, _options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        while (true)
        {
            try
            {
                return await request(Connection(NextEndpoint())).ConfigureAwait(false);
            }
            catch (MetadataUnavailableException) when (!linked.IsCancellationRequested)
            {
                await Task.Delay(_options.RetryDelay, _options.TimeProvider, linked.Token).ConfigureAwait(false);
            }
        }
    }
}
