using Xinfra.Transport;

namespace Xinfra.InMemory;

/// <summary>Creates <see cref="InMemoryTransport"/>s; clusters with the same bootstrap share data.</summary>
public sealed class InMemoryTransportFactory(InMemoryClusters clusters) : ITransportFactory
{
    /// <inheritdoc />
    public ClusterKind Kind => ClusterKind.InMemory;

    /// <inheritdoc />
    public ITransport Create(TransportContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var bootstrap = context.Cluster.Bootstrap ?? context.ClusterName;
        return new InMemoryTransport(context.ClusterName, clusters.Get(bootstrap), context.Cluster.MaxRecordBytes);
    }
}
