using Xinfra.Northguard.Metadata.Model;

namespace Xinfra.Simulator.Workloads;

/// <summary>
/// Which workload topics have a small retention, so the real retention path runs within a short run: <c>events</c>
/// keeps sealed segments 3 simulated seconds and at most 8 KiB of them per range, so readers that fall a few seconds behind (a crash, a partition, a rebalance) find their next records deleted and skip to the low watermark.
/// </summary>
internal static class RetentionWorkload
{
    public const string Topic = "events";

    public static StoragePolicy PolicyFor(string topic, int replicationFactor, bool retention) =>
        retention && topic == Topic
            ? StoragePolicy.Default with { ReplicationFactor = replicationFactor, RetentionTime = TimeSpan.FromSeconds(3), RetentionBytes = 8 * 1024 }
            : StoragePolicy.Default with { ReplicationFactor = replicationFactor };
}
