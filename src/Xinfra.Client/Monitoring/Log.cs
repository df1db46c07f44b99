using Microsoft.Extensions.Logging;

namespace Xinfra.Monitoring;

/// <summary>Xinfra client log messages. Event ids are stable: 1xxx configuration, 2xxx produce, 3xxx consume, 4xxx transports.</summary>
internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Information, "Xinfra configuration applied: {ClusterCount} clusters, {TopicCount} topics")]
    public static partial void ConfigurationApplied(ILogger logger, int clusterCount, int topicCount);

    [LoggerMessage(1002, LogLevel.Error, "Xinfra configuration change rejected; keeping the last good configuration. {Errors}")]
    public static partial void ConfigurationRejected(ILogger logger, string errors);

    [LoggerMessage(1003, LogLevel.Warning, "Topic {Topic}: migration phase {OldPhase} -> {NewPhase}")]
    public static partial void PhaseChanged(ILogger logger, string topic, MigrationPhase oldPhase, MigrationPhase newPhase);

    [LoggerMessage(2001, LogLevel.Warning, "Topic {Topic}: produce to cluster {Cluster} failed, attempt {Attempt}; retrying")]
    public static partial void ProduceRetry(ILogger logger, string topic, string cluster, int attempt, Exception exception);

    [LoggerMessage(2002, LogLevel.Error, "Topic {Topic}: dual write incomplete: acknowledged by {Succeeded}, failed on {Failed}")]
    public static partial void DualWriteIncomplete(ILogger logger, string topic, string succeeded, string failed, Exception exception);

    [LoggerMessage(2003, LogLevel.Warning, "Topic {Topic}: dual-write outbox {Path} is corrupt at byte {Offset} of {Length}; cutting the tail there (a torn last write: it was never acknowledged)")]
    public static partial void OutboxTailCut(ILogger logger, string topic, string path, long offset, long length);

    [LoggerMessage(2004, LogLevel.Warning, "Topic {Topic}: dual-write outbox checkpoint {Path} is unreadable; replaying the outbox from its first segment")]
    public static partial void OutboxCheckpointUnreadable(ILogger logger, string topic, string path);

    [LoggerMessage(2005, LogLevel.Warning, "Topic {Topic}: dual-write outbox {Path} recovered with {Depth} records ({Bytes} bytes) for the target; replaying")]
    public static partial void OutboxRecovered(ILogger logger, string topic, string path, long depth, long bytes);

    [LoggerMessage(2006, LogLevel.Warning, "Topic {Topic}: outbox replay to cluster {Cluster} failed, attempt {Attempt}, {Depth} records waiting; retrying")]
    public static partial void OutboxReplayRetry(ILogger logger, string topic, string cluster, int attempt, long depth, Exception exception);

    [LoggerMessage(2007, LogLevel.Critical, "Topic {Topic}: dual-write outbox {Path} has an unreadable entry; replay stopped (the outbox stays non-empty and blocks the cutover)")]
    public static partial void OutboxReplayStopped(ILogger logger, string topic, string path, Exception exception);

    [LoggerMessage(3001, LogLevel.Information, "Topic {Topic}, group {Group}: assigned {Partitions}")]
    public static partial void PartitionsAssigned(ILogger logger, string topic, string group, string partitions);

    [LoggerMessage(3002, LogLevel.Information, "Topic {Topic}, group {Group}: revoked {Partitions}")]
    public static partial void PartitionsRevoked(ILogger logger, string topic, string group, string partitions);

    [LoggerMessage(3003, LogLevel.Warning, "Topic {Topic}, group {Group}: read epoch changed from {From} to {To}; switching")]
    public static partial void ReadEpochChanged(ILogger logger, string topic, string group, string from, string to);

    [LoggerMessage(3004, LogLevel.Information, "Topic {Topic}, group {Group}: cutover checkpoint {Flip} adopted; reading {Epoch}")]
    public static partial void CutoverCheckpoint(ILogger logger, string topic, string group, int flip, string epoch);

    [LoggerMessage(3005, LogLevel.Warning, "Topic {Topic}, group {Group}: waiting for {Members} members to leave {Epoch} before the cutover ({Seconds:F0} s so far)")]
    public static partial void CutoverWaiting(ILogger logger, string topic, string group, string epoch, int members, double seconds);

    [LoggerMessage(3007, LogLevel.Warning, "Topic {Topic}, group {Group}: cutover deferred: the group has not consumed records written before dual writing ({Count}+ on the source only); reading the source a while longer")]
    public static partial void CutoverDeferred(ILogger logger, string topic, string group, int count);

    [LoggerMessage(3011, LogLevel.Warning, "Topic {Topic}, group {Group}: cutover checkpoint {Flip} retracted: a member read the source past its cut meanwhile (deferred before the cut was written); cutting again")]
    public static partial void CutoverRetracted(ILogger logger, string topic, string group, int flip);

    [LoggerMessage(3012, LogLevel.Information, "Topic {Topic}, group {Group}: the group cut over while this member was joining the source for a deferral; following the cut without delivering from the source")]
    public static partial void DeferralOvertaken(ILogger logger, string topic, string group);

    [LoggerMessage(3009, LogLevel.Warning, "Topic {Topic}, group {Group}: cluster {Cluster} settings changed (e.g. new bootstrap endpoints); rejoining through the new transport")]
    public static partial void ConsumerTransportChanged(ILogger logger, string topic, string group, string cluster);

    [LoggerMessage(3006, LogLevel.Warning, "Topic {Topic}, group {Group}: commit refused for now; the positions are kept and committed later")]
    public static partial void CommitDeferred(ILogger logger, string topic, string group, Exception exception);

    [LoggerMessage(3008, LogLevel.Error, "Topic {Topic}, group {Group}: commit refused for good; records processed since the last commit will be delivered again")]
    public static partial void CommitAbandoned(ILogger logger, string topic, string group, Exception exception);

    [LoggerMessage(4001, LogLevel.Information, "Cluster {Cluster}: connected a {Kind} transport")]
    public static partial void TransportCreated(ILogger logger, string cluster, ClusterKind kind);

    [LoggerMessage(4002, LogLevel.Warning, "Cluster {Cluster}: settings changed; new clients use a new transport")]
    public static partial void TransportReplaced(ILogger logger, string cluster);

    [LoggerMessage(3010, LogLevel.Debug, "Topic {Topic}, group {Group}: lag refresh failed ({Error}); the lag gauges keep their previous figures")]
    public static partial void LagRefreshFailed(ILogger logger, string topic, string group, string error);
}
