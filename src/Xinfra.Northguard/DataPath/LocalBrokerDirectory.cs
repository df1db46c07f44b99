using Xinfra.Northguard.Metadata.Placement;

namespace Xinfra.Northguard.DataPath;

/// <summary>
/// An in-process <see cref="IBrokerDirectory"/> shared by the brokers of one embedded cluster: a broker is live from
/// its start to its stop. Thread-safe. Swapped for the Raft-backed membership in a networked cluster.
/// </summary>
public sealed class LocalBrokerDirectory : IBrokerDirectory
{
    private readonly Lock _lock = new();
    private readonly Dictionary<ulong, BrokerInfo> _brokers = [];
    private readonly Dictionary<ulong, string> _endpoints = [];

    /// <inheritdoc />
    public IReadOnlyList<BrokerInfo> Brokers
    {
        get
        {
            lock (_lock)
            {
                return [.. _brokers.Values.OrderBy(b => b.Id)];
            }
        }
    }

    /// <inheritdoc />
    public string? EndpointOf(ulong brokerId)
    {
        lock (_lock)
        {
            return _endpoints.GetValueOrDefault(brokerId);
        }
    }

    /// <summary>Records that <paramref name="brokerId"/> listens on <paramref name="endpoint"/> and is live.</summary>
    public void MarkLive(ulong brokerId, string endpoint, IReadOnlyDictionary<string, string> attributes)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var uri = new Uri(endpoint);
        lock (_lock)
        {
            _brokers[brokerId] = new BrokerInfo(brokerId, uri.Host, uri.Port, attributes, IsLive: true);
            _endpoints[brokerId] = endpoint;
        }
    }

    /// <summary>Records that <paramref name="brokerId"/> stopped.</summary>
    public void MarkDead(ulong brokerId)
    {
        lock (_lock)
        {
            if (_brokers.TryGetValue(brokerId, out var info))
            {
                _brokers[brokerId] = info with { IsLive = false };
            }
        }
    }
}
