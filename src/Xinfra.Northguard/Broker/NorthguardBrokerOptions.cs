namespace Xinfra.Northguard.Broker;

/// <summary>How one broker runs: identity, listener, data folder, attributes used by placement.</summary>
public sealed record NorthguardBrokerOptions
{
    /// <summary>The broker id, unique in the cluster and stable across restarts.</summary>
    public required ulong BrokerId { get; init; }

    /// <summary>The address to listen on. <value>The default is 127.0.0.1.</value></summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The port to listen on; 0 picks a free one. <value>The default is 0.</value></summary>
    public int Port { get; init; }

    /// <summary>The folder holding the broker's WAL, segments, index and Raft log. Required.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>Attributes that placement policies can constrain (e.g. <c>zone</c>).</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The <c>http://host:port</c> other brokers and clients should use to reach this broker, when it differs from the
    /// listen address (e.g. listening on 0.0.0.0). <value>The default is null: the listen address.</value>
    /// </summary>
    public string? AdvertisedEndpoint { get; init; }

    /// <summary>
    /// The write throughput (replica bytes per second, all topics) this broker is planned for; reported by
    /// <c>BrokerInfo.DescribeStorage</c> for capacity checks, not enforced. <value>The default is 100 MB/s.</value>
    /// </summary>
    public long ThroughputBudgetBytesPerSecond { get; init; } = 100_000_000;

    /// <summary>TLS, tokens and ACLs (see docs/security.md); null (the default) leaves the broker plaintext and open.</summary>
    public Security.BrokerSecurityOptions? Security { get; init; }

    /// <summary>
    /// The port of the Prometheus scrape endpoint (<c>GET /metrics</c>, plaintext HTTP/1.1, on <see cref="Host"/>),
    /// separate from the HTTP/2 gRPC listener; 0 picks a free port (see <c>NorthguardBroker.MetricsEndpoint</c>).
    /// <value>The default is null: no endpoint.</value>
    /// </summary>
    public int? MetricsPort { get; init; }
}
