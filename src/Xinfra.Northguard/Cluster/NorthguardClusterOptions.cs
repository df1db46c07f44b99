using Microsoft.Extensions.Logging;
using Xinfra.Northguard.Broker;

namespace Xinfra.Northguard.Cluster;

/// <summary>How <see cref="NorthguardCluster"/> starts its brokers.</summary>
public sealed record NorthguardClusterOptions
{
    /// <summary>How many brokers. <value>The default is 3.</value></summary>
    public int Brokers { get; init; } = 3;

    /// <summary>The folder under which each broker gets its data folder; null uses a new temp folder, deleted on dispose.</summary>
    public string? DataRoot { get; init; }

    /// <summary>The modules each broker runs (data path, metadata…), created per broker.</summary>
    public Func<NorthguardBrokerOptions, IReadOnlyList<IBrokerModule>> Modules { get; init; } = static _ => [];

    /// <summary>Attributes per broker id (e.g. zones), used by placement.</summary>
    public Func<ulong, IReadOnlyDictionary<string, string>> Attributes { get; init; } = static _ => new Dictionary<string, string>();

    /// <summary>Logs of every broker; null discards them.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Security of every broker (TLS, tokens, ACLs); null (the default) leaves them plaintext and open.</summary>
    public Security.BrokerSecurityOptions? Security { get; init; }

    /// <summary>The clock brokers use. <value>The default is the system clock.</value></summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// <see cref="NorthguardBrokerOptions.MetricsPort"/> of every broker: 0 gives each its own free port.
    /// <value>The default is null: no metrics endpoints.</value>
    /// </summary>
    public int? MetricsPort { get; init; }
}
