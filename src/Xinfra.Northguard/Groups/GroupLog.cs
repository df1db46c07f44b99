using Microsoft.Extensions.Logging;

namespace Xinfra.Northguard.Groups;

/// <summary>Logging of the group coordinator (event ids 3400-3419).</summary>
internal static partial class GroupLog
{
    [LoggerMessage(EventId = 3400, Level = LogLevel.Information, Message = "Group {Group} on topic {Topic}: member {Member} joined, generation {Generation}")]
    public static partial void MemberJoined(ILogger logger, string group, string topic, string member, long generation);

    [LoggerMessage(EventId = 3401, Level = LogLevel.Information, Message = "Group {Group} on topic {Topic}: member {Member} left, generation {Generation}")]
    public static partial void MemberLeft(ILogger logger, string group, string topic, string member, long generation);

    [LoggerMessage(EventId = 3402, Level = LogLevel.Warning, Message = "Group {Group} on topic {Topic}: member {Member} missed its heartbeats and was expelled, generation {Generation}")]
    public static partial void MemberExpelled(ILogger logger, string group, string topic, string member, long generation);

    [LoggerMessage(EventId = 3403, Level = LogLevel.Warning, Message = "Group {Group}: the grant marker could not be recorded, no grants until the next heartbeat: {Reason}")]
    public static partial void MarkerFailed(ILogger logger, string group, string reason);

    [LoggerMessage(EventId = 3404, Level = LogLevel.Warning, Message = "Group {Group} on topic {Topic}: the lease of range {Range} for member {Member} could not be claimed, not granted now: {Reason}")]
    public static partial void ClaimFailed(ILogger logger, string group, string topic, ulong range, string member, string reason);
}
