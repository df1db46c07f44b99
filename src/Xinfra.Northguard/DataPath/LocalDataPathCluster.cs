using Xinfra.Northguard.Broker;
using Xinfra.Northguard.Cluster;

namespace Xinfra.Northguard.DataPath;

/// <summary>
/// Shortcut for an embedded cluster with the data path over the in-process metadata: one shared
/// <see cref="LocalMetadataService"/> and <see cref="LocalBrokerDirectory"/>, and per broker a
/// <see cref="LocalMetadataModule"/> followed by a <see cref="DataPathModule"/>.
/// </summary>
public sealed class LocalDataPathCluster
{
    /// <summary>Creates the shared metadata and membership.</summary>
    /// <param name="options">The data path options of every broker; null uses <see cref="DataPathOptions.Default"/>.</param>
    public LocalDataPathCluster(DataPathOptions? options = null)
    {
        Options = options ?? DataPathOptions.Default;
    }

    /// <summary>The metadata every broker shares (create topics here).</summary>
    public LocalMetadataService Metadata { get; } = new();

    /// <summary>The membership every broker shares.</summary>
    public LocalBrokerDirectory Directory { get; } = new();

    /// <summary>The data path options of every broker.</summary>
    public DataPathOptions Options { get; }

    /// <summary>The modules of one broker, for <see cref="NorthguardClusterOptions.Modules"/>.</summary>
    public IReadOnlyList<IBrokerModule> Modules(NorthguardBrokerOptions broker) =>
        [new LocalMetadataModule(Metadata, Directory), new DataPathModule(Options)];

    /// <summary>Starts <paramref name="brokers"/> brokers in this process with these modules.</summary>
    public Task<NorthguardCluster> StartAsync(int brokers = 3, CancellationToken cancellationToken = default) =>
        NorthguardCluster.StartAsync(new NorthguardClusterOptions { Brokers = brokers, Modules = Modules }, cancellationToken);
}
