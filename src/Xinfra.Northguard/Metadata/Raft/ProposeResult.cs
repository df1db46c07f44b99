namespace Xinfra.Northguard.Metadata.Raft;

/// <summary>Why a proposal or request was refused.</summary>
public enum ProposeStatus
{
    /// <summary>Appended to the leader's log; it commits unless the leader loses its term.</summary>
    Accepted,

    /// <summary>This node is not the leader; retry on <see cref="ProposeResult.LeaderHint"/> if known.</summary>
    NotLeader,

    /// <summary>A leadership transfer is in progress; retry shortly.</summary>
    TransferInProgress,

    /// <summary>A membership change is still being applied; one change at a time.</summary>
    ConfChangePending,

    /// <summary>The request is invalid for the current membership (e.g. adding an existing voter).</summary>
    Invalid,
}

/// <summary>The outcome of a proposal.</summary>
/// <param name="Status">Accepted or why not.</param>
/// <param name="Index">The log index given to the entry when accepted.</param>
/// <param name="Term">The leader's term when accepted.</param>
/// <param name="LeaderHint">The leader this node knows of, or 0.</param>
public readonly record struct ProposeResult(ProposeStatus Status, long Index, long Term, ulong LeaderHint)
{
    /// <summary>True when the entry was appended.</summary>
    public bool IsAccepted => Status == ProposeStatus.Accepted;
}
