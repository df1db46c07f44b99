namespace Xinfra.Northguard.Security;

/// <summary>
/// Security of one broker (opt-in: null on <see cref="Broker.NorthguardBrokerOptions.Security"/> leaves the broker
/// plaintext and open). TLS on the listener and on broker-to-broker channels, and authentication plus per-topic ACLs.
/// </summary>
public sealed record BrokerSecurityOptions
{
    /// <summary>TLS on the listener and on the channels to other brokers; null keeps them plaintext.</summary>
    public NorthguardTlsOptions? Tls { get; init; }

    /// <summary>
    /// Authenticate every call (application token, cluster token or client certificate) and check per-topic ACLs.
    /// <value>The default is true.</value>
    /// </summary>
    public bool EnforceAcls { get; init; } = true;

    /// <summary>
    /// The secret brokers present to each other (and operators use to onboard applications); every broker of a
    /// cluster has the same. Required when <see cref="EnforceAcls"/> is on. Never logged.
    /// </summary>
    public string? ClusterToken { get; init; }

    /// <summary>How long a looked-up ACL or token is trusted before it is read again. <value>The default is 2 s.</value></summary>
    public TimeSpan CacheTtl { get; init; } = TimeSpan.FromSeconds(2);

    /// <inheritdoc />
    public override string ToString() =>
        $"Tls={(Tls is null ? "off" : Tls.ToString())}, EnforceAcls={EnforceAcls}, ClusterToken={(ClusterToken is null ? "-" : "***")}, CacheTtl={CacheTtl}";
}
