namespace Xinfra.Transport;

/// <summary>A physical topic on one cluster, with the logical topic it serves (for errors and metrics).</summary>
/// <param name="LogicalTopic">The logical topic name services use.</param>
/// <param name="Cluster">The cluster name from configuration.</param>
/// <param name="Name">The topic's name on that cluster.</param>
/// <param name="Partitions">Partitions (or initial ranges) to create it with, if it must be created.</param>
public sealed record PhysicalTopic(string LogicalTopic, string Cluster, string Name, int Partitions = 1)
{
    /// <inheritdoc />
    public override string ToString() => $"{LogicalTopic} ({Cluster}/{Name})";
}
