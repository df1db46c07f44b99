namespace Xinfra.Northguard.Groups;

/// <summary>
/// A group member's commit was refused because the range was granted again since the member got it: the position
/// document carries a newer lease (<see cref="HolderEpoch"/> &gt; <see cref="LeaseEpoch"/>). Nothing was written, so
/// the newer holder's position stands; the member no longer owns the range and must drop it (records it processed
/// since its last commit are delivered again to the new holder: at least once).
/// </summary>
public sealed class CommitFencedException : ConsumeException
{
    /// <summary>Creates the exception from what the broker reported.</summary>
    public CommitFencedException(string group, string topic, ulong rangeId, string member, long leaseEpoch, long holderEpoch, string holderMember)
        : base($"Commit of group '{group}' on '{topic}' range {rangeId} by member '{member}' (lease epoch {leaseEpoch}) was fenced: the range was granted again (epoch {holderEpoch}, member '{holderMember}').")
    {
        Group = group;
        RangeId = rangeId;
        Member = member;
        LeaseEpoch = leaseEpoch;
        HolderEpoch = holderEpoch;
        HolderMember = holderMember;
        Topic = topic;
    }

    /// <summary>The consumer group.</summary>
    public string Group { get; }

    /// <summary>The range whose position the member tried to commit.</summary>
    public ulong RangeId { get; }

    /// <summary>The member whose commit was refused.</summary>
    public string Member { get; }

    /// <summary>The lease epoch the refused commit carried.</summary>
    public long LeaseEpoch { get; }

    /// <summary>The range's current lease epoch (a later grant).</summary>
    public long HolderEpoch { get; }

    /// <summary>The member holding the current lease.</summary>
    public string HolderMember { get; }
}
