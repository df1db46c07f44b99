using System.Collections.Concurrent;
using Xinfra.Northguard.Metadata.Ring;

namespace Xinfra.Northguard.Metadata.Service;

/// <summary>
/// The client side of metadata routing: caches the leader of each vnode, sends each request there, and on
/// <see cref="NotLeaderException"/> forgets the cached leader and follows the hint (or tries the next broker), up to
/// <see cref="MaxRedirects"/> times. Redirects are routing, not retries: the failed attempt was refused, not lost.
/// Thread-safe.
/// </summary>
public sealed class MetadataRouter
{
    private readonly ConcurrentDictionary<int, ulong> _leaders = new();
    private readonly IReadOnlyList<ulong> _brokers;
    private readonly Func<ulong, IMetadataService> _connect;

    /// <summary>Creates a router over the ring, the known brokers, and a way to reach a broker's service.</summary>
    public MetadataRouter(VnodeRing ring, IReadOnlyList<ulong> brokers, Func<ulong, IMetadataService> connect)
    {
        ArgumentNullException.ThrowIfNull(ring);
        ArgumentNullException.ThrowIfNull(brokers);
        ArgumentNullException.ThrowIfNull(connect);
        if (brokers.Count == 0)
        {
            throw new ArgumentException("At least one broker is needed.", nameof(brokers));
        }

        Ring = ring;
        _brokers = [.. brokers];
        _connect = connect;
    }

    /// <summary>The ring used to find a request's vnode.</summary>
    public VnodeRing Ring { get; }

    /// <summary>How many redirects one request may follow.</summary>
    /// <value>The default value is 5.</value>
    public int MaxRedirects { get; init; } = 5;

    /// <summary>The cached leader of <paramref name="vnode"/>, or 0.</summary>
    public ulong CachedLeader(int vnode) => _leaders.TryGetValue(vnode, out ulong leader) ? leader : 0;

    /// <summary>Runs a request for a topic (or config document key) on its vnode's leader.</summary>
    public ValueTask<T> ForTopicAsync<T>(string topic, Func<IMetadataService, ValueTask<T>> request) =>
        InvokeAsync(Ring.VnodeForTopic(topic), request);

    /// <summary>Runs a request for a range (or one of its segments) on its vnode's leader.</summary>
    public ValueTask<T> ForRangeAsync<T>(RangeId range, Func<IMetadataService, ValueTask<T>> request) =>
        InvokeAsync(Ring.VnodeForRange(range), request);

    /// <summary>Runs a request on the leader of <paramref name="vnode"/>, following redirects.</summary>
    public async ValueTask<T> InvokeAsync<T>(int vnode, Func<IMetadataService, ValueTask<T>> request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ulong target = CachedLeader(vnode) is var cached and not 0 ? cached : _brokers[vnode % _brokers.Count];
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                var result = await request(_connect(target)).ConfigureAwait(false);
                _leaders[vnode] = target;
                return result;
            }
            catch (NotLeaderException e) when (attempt < MaxRedirects)
            {
                _leaders.TryRemove(vnode, out _);
                target = e.LeaderHint != 0 && e.LeaderHint != target ? e.LeaderHint : NextBroker(target);
            }
        }
    }

    private ulong NextBroker(ulong current)
    {
        for (int i = 0; i < _brokers.Count; i++)
        {
            if (_brokers[i] == current)
            {
                return _brokers[(i + 1) % _brokers.Count];
            }
        }

        return _brokers[0];
    }
}
