using Xinfra.Northguard.Metadata.Placement;

namespace Xinfra.Northguard.DataPath;

/// <summary>
/// Broker membership as the data path needs it: which brokers exist, whether they are live, and where they listen.
/// Provided by the metadata module (the Raft-backed one, or <see cref="LocalMetadataModule"/> in tests).
/// </summary>
public interface IBrokerDirectory
{
    /// <summary>Every known broker with its attributes and liveness.</summary>
    IReadOnlyList<BrokerInfo> Brokers { get; }

    /// <summary>The <c>http://host:port</c> of <paramref name="brokerId"/>, or null when unknown.</summary>
    string? EndpointOf(ulong brokerId);
}
