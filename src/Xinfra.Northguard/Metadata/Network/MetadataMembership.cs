using System.Collections.Concurrent;

namespace Xinfra.Northguard.Metadata.Network;

/// <summary>
/// The static initial membership of the metadata layer: the broker ids of the cluster and, as they become known,
/// their endpoints. Brokers add their own endpoint when they start and learn others' from gossip, so one instance
/// can be shared by in-process brokers or built from configuration (ids and <c>http://host:port</c>). Thread-safe.
/// </summary>
public sealed class MetadataMembership
{
    private readonly ConcurrentDictionary<ulong, string> _endpoints = new();

    /// <summary>Creates the membership of <paramref name="brokers"/> (ids, not 0).</summary>
    public MetadataMembership(IEnumerable<ulong> brokers)
    {
        ArgumentNullException.ThrowIfNull(brokers);
        Brokers = [.. brokers.Distinct().Order()];
        if (Brokers.Count == 0 || Brokers[0] == 0)
        {
            throw new ArgumentException("At least one broker id, none of them 0, is needed.", nameof(brokers));
        }
    }

    /// <summary>The broker ids, ascending.</summary>
    public IReadOnlyList<ulong> Brokers { get; }

    /// <summary>The membership of brokers <c>1..count</c> (as <c>NorthguardCluster</c> numbers them).</summary>
    public static MetadataMembership Sequential(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return new MetadataMembership(Enumerable.Range(1, count).Select(i => (ulong)i));
    }

    /// <summary>Records where <paramref name="broker"/> listens.</summary>
    public void SetEndpoint(ulong broker, string endpoint)
    {
        ArgumentException.ThrowIfNullOrEmpty(endpoint);
        _endpoints[broker] = endpoint;
    }

    /// <summary>Where <paramref name="broker"/> listens, or null while unknown.</summary>
    public string? GetEndpoint(ulong broker) => _endpoints.TryGetValue(broker, out var endpoint) ? endpoint : null;

    /// <summary>
    /// The replicas of <paramref name="vnode"/>: <paramref name="replicationFactor"/> consecutive brokers of the
    /// sorted id list starting at <c>vnode mod n</c> (all brokers when there are fewer). Deterministic, so every
    /// broker computes the same initial voters.
    /// </summary>
    public IReadOnlyList<ulong> ReplicasOf(int vnode, int replicationFactor)
    {
        int n = Brokers.Count;
        int count = Math.Min(replicationFactor, n);
        var replicas = new ulong[count];
        for (int i = 0; i < count; i++)
        {
            replicas[i] = Brokers[(vnode + i) % n];
        }

        return replicas;
    }
}
