namespace Xinfra.Simulator.Engine;

/// <summary>A consumer-group request to a broker (the group coordinator, or a broker that redirects to it).</summary>
internal abstract record GroupRequest(string Group, string Topic);

/// <summary>Join a group's membership of a topic; the coordinator names a new member (empty <paramref name="Member"/>), a rejoin keeps its name.</summary>
internal sealed record GroupJoin(string Group, string Topic, string Member, long SessionTimeoutTicks) : GroupRequest(Group, Topic);

/// <summary>A member's heartbeat with the ranges it holds (applied grants and grants not applied yet).</summary>
internal sealed record GroupHeartbeat(string Group, string Topic, string Member, ulong[] Held) : GroupRequest(Group, Topic)
{
    public override string ToString() => $"heartbeat {Group}/{Topic} {Member} held [{string.Join(',', Held)}]";
}

/// <summary>A member leaves (its ranges become free at once).</summary>
internal sealed record GroupLeave(string Group, string Topic, string Member) : GroupRequest(Group, Topic);

/// <summary>How a coordinator answered a group request.</summary>
internal enum GroupStatus
{
    Ok,
    UnknownMember,
    NotCoordinator,
}

/// <summary>
/// The coordinator's answer: the member's target ranges and the ones granted now, or an error with, for
/// <see cref="GroupStatus.NotCoordinator"/>, the broker to ask instead. <paramref name="Epochs"/>: the lease epoch the
/// coordinator claimed for each granted range (same order), which the member's commits of the range carry.
/// </summary>
internal sealed record GroupReply(GroupStatus Status, string Member, long Generation, ulong[] Target, ulong[] Granted, int Coordinator, long[]? Epochs = null)
{
    public override string ToString() => $"group {Status} {Member} g{Generation} target [{string.Join(',', Target)}] granted [{string.Join(',', Granted.Select((r, i) => $"{r}@{Epochs?[i]}"))}]";
}
