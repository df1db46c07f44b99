namespace Xinfra.Northguard.Metadata.Client;

/// <summary>How <see cref="NorthguardMetadataClient"/> reaches a cluster.</summary>
public sealed record NorthguardMetadataClientOptions
{
    /// <summary>Endpoints (<c>http://host:port</c>) of some brokers; the rest are learnt. Required.</summary>
    public required IReadOnlyList<string> Bootstrap { get; init; }

    /// <summary>How long one operation may take, redirects and waits for an election included. <value>The default is 15 s.</value></summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The pause before retrying when no leader is known or a broker is unreachable. <value>The default is 100 ms.</value></summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Let the broker proxy a request to the vnode leader (one hop more) instead of answering NotLeader. <value>The
    /// default is false: the client follows NotLeader itself and caches the leader.</value>
    /// </summary>
    public bool UseBrokerProxy { get; init; }

    /// <summary>TLS trust, client certificate and token; null (the default) is plaintext with no token.</summary>
    public Security.NorthguardClientSecurity? Security { get; init; }

    /// <summary>The clock for timeouts and retry pauses. <value>The default is the system clock.</value></summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
