namespace Xinfra.Northguard.Metadata.Raft;

/// <summary>The kinds of messages Raft nodes exchange.</summary>
public enum MessageType : byte
{
    /// <summary>Pre-vote request: would you vote for me at <see cref="RaftMessage.Term"/>?</summary>
    PreVote,

    /// <summary>Pre-vote answer.</summary>
    PreVoteResponse,

    /// <summary>Vote request.</summary>
    Vote,

    /// <summary>Vote answer.</summary>
    VoteResponse,

    /// <summary>Entries after (<see cref="RaftMessage.Index"/>, <see cref="RaftMessage.LogTerm"/>).</summary>
    Append,

    /// <summary>Append answer: accepted up to <see cref="RaftMessage.Index"/>, or rejected with a hint.</summary>
    AppendResponse,

    /// <summary>Leader liveness and commit index; may carry a read-index context.</summary>
    Heartbeat,

    /// <summary>Heartbeat answer, echoing the context.</summary>
    HeartbeatResponse,

    /// <summary>Install this snapshot.</summary>
    InstallSnapshot,

    /// <summary>Leader transfer: campaign now, skipping pre-vote and the leader lease.</summary>
    TimeoutNow,

    /// <summary>A follower forwards a read-index request to the leader.</summary>
    ReadIndex,

    /// <summary>The leader answers a forwarded read-index request.</summary>
    ReadIndexResponse,
}

/// <summary>A message between two nodes of one Raft group. Immutable; the host routes and serializes it.</summary>
public sealed record RaftMessage
{
    /// <summary>The kind of message.</summary>
    public required MessageType Type { get; init; }

    /// <summary>The sender.</summary>
    public ulong From { get; init; }

    /// <summary>The receiver.</summary>
    public required ulong To { get; init; }

    /// <summary>The sender's term (for pre-votes: the term it would campaign in).</summary>
    public long Term { get; init; }

    /// <summary>The term of the entry at <see cref="Index"/> (append: previous entry; vote: last entry).</summary>
    public long LogTerm { get; init; }

    /// <summary>A log index whose meaning depends on <see cref="Type"/>.</summary>
    public long Index { get; init; }

    /// <summary>Entries carried by an append.</summary>
    public IReadOnlyList<LogEntry> Entries { get; init; } = [];

    /// <summary>The sender's commit index.</summary>
    public long Commit { get; init; }

    /// <summary>True when a request was refused.</summary>
    public bool Reject { get; init; }

    /// <summary>With a rejected append: the follower's last index, to skip probing.</summary>
    public long RejectHint { get; init; }

    /// <summary>A read-index request id (0 for none).</summary>
    public long Context { get; init; }

    /// <summary>True for a vote started by a leader transfer: bypasses the leader lease.</summary>
    public bool Force { get; init; }

    /// <summary>The snapshot carried by <see cref="MessageType.InstallSnapshot"/>.</summary>
    public RaftSnapshot? Snapshot { get; init; }
}
