using System.Diagnostics.Metrics;
using Xinfra.Northguard.Storage.Diagnostics;

namespace Xinfra.Northguard.DataPath;

/// <summary>
/// Where an append's time goes on its segment leader, as histograms (ms) on the <c>Xinfra.Northguard</c> meter:
/// from the leader taking the append to its own WAL making it durable, and to every replica having it durable (the
/// ack is queued then); on a follower, from receiving an append to its WAL covering it, and the report's write. Leader
/// measurements carry a <c>records</c> tag (the append's record count). Measured only while a listener is enabled.
/// </summary>
internal static class LeaderStageMetrics
{
    private static readonly Meter Meter = new(StorageMetrics.MeterName);

    public static readonly Histogram<double> LocalDurable = Meter.CreateHistogram<double>(
        "xinfra.northguard.produce.leader.local_durable", "ms", "From the leader taking an append to its own WAL group commit covering it.");

    public static readonly Histogram<double> Committed = Meter.CreateHistogram<double>(
        "xinfra.northguard.produce.leader.committed", "ms", "From the leader taking an append to every replica reporting it durable (ack queued).");

    public static readonly Histogram<double> FollowerDurable = Meter.CreateHistogram<double>(
        "xinfra.northguard.produce.follower.durable", "ms", "On a follower: from receiving an append to its own WAL group commit covering it.");

    public static readonly Histogram<double> FollowerReported = Meter.CreateHistogram<double>(
        "xinfra.northguard.produce.follower.reported", "ms", "On a follower: writing the durable report into the replicate stream.");

    /// <summary>True while something listens.</summary>
    public static bool Enabled => Committed.Enabled;
}
