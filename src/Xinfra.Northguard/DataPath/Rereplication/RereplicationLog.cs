using Microsoft.Extensions.Logging;

namespace Xinfra.Northguard.DataPath.Rereplication;

/// <summary>Re-replication log events (3220–3229).</summary>
internal static partial class RereplicationLog
{
    [LoggerMessage(EventId = 3220, Level = LogLevel.Information, Message = "Segment {Segment}: replica on {Lost} replaced by a copy on {Target} from {Source}, end offset {EndOffset}")]
    public static partial void Restored(ILogger logger, string segment, ulong lost, ulong target, ulong source, long endOffset);

    [LoggerMessage(EventId = 3221, Level = LogLevel.Error, Message = "Segment {Segment} has no live replica (replicas {Replicas}): its records are unavailable until one returns")]
    public static partial void NoSurvivingReplica(ILogger logger, string segment, string replicas);

    [LoggerMessage(EventId = 3222, Level = LogLevel.Warning, Message = "Copying segment {Segment} from broker {Source} failed")]
    public static partial void CopyFailed(ILogger logger, string segment, ulong source, Exception exception);

    [LoggerMessage(EventId = 3223, Level = LogLevel.Warning, Message = "Copy of segment {Segment} not verified: local [{LocalBase}, {LocalNext}) vs metadata [{BaseOffset}, {EndOffset})")]
    public static partial void Mismatch(ILogger logger, string segment, long localBase, long localNext, long baseOffset, long endOffset);

    [LoggerMessage(EventId = 3224, Level = LogLevel.Warning, Message = "Re-replication pass on broker {BrokerId} failed")]
    public static partial void PassFailed(ILogger logger, ulong brokerId, Exception exception);

    [LoggerMessage(EventId = 3225, Level = LogLevel.Warning, Message = "Re-replication stopped on broker {BrokerId}: {Reason}")]
    public static partial void Unsupported(ILogger logger, ulong brokerId, string reason);
}
