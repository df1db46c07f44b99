using Microsoft.Extensions.Logging;

namespace Xinfra.Transport;

/// <summary>Creates transports of one <see cref="ClusterKind"/>. Registered by <c>.AddKafka()</c>, <c>.AddNorthguard()</c>, <c>.AddInMemory()</c>.</summary>
public interface ITransportFactory
{
    /// <summary>The kind of cluster this factory connects to.</summary>
    ClusterKind Kind { get; }

    /// <summary>Connects to a cluster. Should not block on the network: connect lazily or in the background.</summary>
    ITransport Create(TransportContext context);
}

/// <summary>What a transport factory needs to connect to one cluster.</summary>
/// <param name="ClusterName">The cluster's configured name.</param>
/// <param name="Cluster">Its options.</param>
/// <param name="Security">Its security profile, or null.</param>
/// <param name="ApplicationId">The application id (client id).</param>
/// <param name="LoggerFactory">For the transport's logs.</param>
/// <param name="TimeProvider">The clock.</param>
public sealed record TransportContext(
    string ClusterName,
    ClusterOptions Cluster,
    SecurityProfileOptions? Security,
    string ApplicationId,
    ILoggerFactory LoggerFactory,
    TimeProvider TimeProvider);
