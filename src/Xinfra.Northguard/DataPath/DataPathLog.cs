using Microsoft.Extensions.Logging;

namespace Xinfra.Northguard.DataPath;

/// <summary>Data path log events (3200–3209).</summary>
internal static partial class DataPathLog
{
    [LoggerMessage(EventId = 3200, Level = LogLevel.Information, Message = "Broker {BrokerId} leads segment {Segment} on replicas {Replicas} from offset {BaseOffset}")]
    public static partial void LeadingSegment(ILogger logger, ulong brokerId, string segment, string replicas, long baseOffset);

    [LoggerMessage(EventId = 3201, Level = LogLevel.Information, Message = "Sealing segment {Segment} at offset {EndOffset}: {Reason}")]
    public static partial void Sealing(ILogger logger, string segment, long endOffset, string reason);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Warning, Message = "Replica {Replica} of segment {Segment} failed")]
    public static partial void ReplicaFailed(ILogger logger, ulong replica, string segment, Exception? exception);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Warning, Message = "Produce stream refused: {Reason}")]
    public static partial void ProduceRefused(ILogger logger, string reason);

    [LoggerMessage(EventId = 3204, Level = LogLevel.Warning, Message = "Sealing segment {Segment} failed")]
    public static partial void SealFailed(ILogger logger, string segment, Exception exception);

    [LoggerMessage(EventId = 3205, Level = LogLevel.Information, Message = "Sealed orphan segment {Segment} (leader {Leader} gone) at offset {EndOffset}")]
    public static partial void SealedOrphan(ILogger logger, string segment, ulong leader, long endOffset);

    [LoggerMessage(EventId = 3230, Level = LogLevel.Warning, Message = "Opened a segment of '{Topic}' range {Range} on {Replicas} replicas, below replication factor {ReplicationFactor}: brokers are down; it is re-replicated once sealed")]
    public static partial void OpenedDegraded(ILogger logger, string topic, string range, int replicas, int replicationFactor);
}
