using System.Diagnostics.Metrics;
using Xinfra.Northguard.Storage.Devices;

namespace Xinfra.Northguard.Storage.Diagnostics;

/// <summary>The fps-store instruments on the <c>Xinfra.Northguard</c> meter.</summary>
public static class StorageMetrics
{
    /// <summary>The meter name shared by the Northguard broker.</summary>
    public const string MeterName = "Xinfra.Northguard";

    private static readonly Meter Meter = new(MeterName);
    private static readonly UpDownCounter<long> Devices = Meter.CreateUpDownCounter<long>(
        "xinfra.northguard.storage.devices", description: "Storage devices opened, by I/O mode (direct or buffered).");
    private static readonly Counter<long> WalBytes = Meter.CreateCounter<long>(
        "xinfra.northguard.storage.wal.bytes", "By", "Bytes written to the write-ahead log.");
    private static readonly Counter<long> GroupCommits = Meter.CreateCounter<long>(
        "xinfra.northguard.storage.wal.group_commits", description: "Group commits (one WAL fsync each).");
    private static readonly Histogram<double> FsyncDuration = Meter.CreateHistogram<double>(
        "xinfra.northguard.storage.fsync.duration", "ms", "Duration of fsync calls.");
    private static readonly Histogram<double> ApplyDuration = Meter.CreateHistogram<double>(
        "xinfra.northguard.storage.wal.apply.duration", "ms", "After a group's WAL fsync and before its waiters are released: writing it to the segment files and the index.");
    private static readonly Counter<long> TailCacheReads = Meter.CreateCounter<long>(
        "xinfra.northguard.storage.tail_cache.reads", description: "Reads served (hit) or not (miss) by the tail cache.");
    private static readonly Counter<long> CorruptSegments = Meter.CreateCounter<long>(
        "xinfra.northguard.storage.segments.refused", description: "Segments refused because their data is corrupt.");

    internal static void RecordIoMode(StorageIoMode mode) =>
        Devices.Add(1, new KeyValuePair<string, object?>("io.mode", mode == StorageIoMode.Direct ? "direct" : mode == StorageIoMode.Buffered ? "buffered" : "memory"));

    internal static void RecordGroupCommit(long walBytes, double fsyncMilliseconds)
    {
        WalBytes.Add(walBytes);
        GroupCommits.Add(1);
        FsyncDuration.Record(fsyncMilliseconds, new KeyValuePair<string, object?>("file", "wal"));
    }

    internal static void RecordApply(double milliseconds) => ApplyDuration.Record(milliseconds);

    internal static void RecordSegmentFsync(double milliseconds) =>
        FsyncDuration.Record(milliseconds, new KeyValuePair<string, object?>("file", "segment"));

    internal static void RecordTailCacheRead(bool hit) =>
        TailCacheReads.Add(1, new KeyValuePair<string, object?>("result", hit ? "hit" : "miss"));

    internal static void RecordRefusedSegment() => CorruptSegments.Add(1);
}
