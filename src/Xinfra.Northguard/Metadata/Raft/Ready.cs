namespace Xinfra.Northguard.Metadata.Raft;

/// <summary>
/// The work a <see cref="RaftNode"/> hands to its host. The host must, in this order: persist
/// <see cref="Snapshot"/>, <see cref="Entries"/> and <see cref="HardState"/> (and fsync when
/// <see cref="MustSync"/>); then send <see cref="Messages"/>; then apply <see cref="Snapshot"/> and
/// <see cref="CommittedEntries"/> to the state machine and serve <see cref="ReadStates"/> once applied; then call
/// <see cref="RaftNode.Advance"/>. The node accepts no other input between <see cref="RaftNode.GetReady"/> and
/// <see cref="RaftNode.Advance"/>.
/// </summary>
public sealed class Ready
{
    internal Ready(RaftRole role, ulong leader, HardState? hardState, IReadOnlyList<LogEntry> entries,
        RaftSnapshot? snapshot, IReadOnlyList<LogEntry> committed, IReadOnlyList<RaftMessage> messages,
        IReadOnlyList<ReadState> readStates, bool mustSync)
    {
        MustSync = mustSync;
        Role = role;
        Leader = leader;
        HardState = hardState;
        Entries = entries;
        Snapshot = snapshot;
        CommittedEntries = committed;
        Messages = messages;
        ReadStates = readStates;
    }

    /// <summary>The node's role now (volatile; need not be persisted).</summary>
    public RaftRole Role { get; }

    /// <summary>The leader the node knows of now, or 0.</summary>
    public ulong Leader { get; }

    /// <summary>The hard state to persist, or null when unchanged.</summary>
    public HardState? HardState { get; }

    /// <summary>Entries to append to stable storage (they may replace a suffix).</summary>
    public IReadOnlyList<LogEntry> Entries { get; }

    /// <summary>A snapshot received from the leader: persist it (replacing the log), then restore the state machine.</summary>
    public RaftSnapshot? Snapshot { get; }

    /// <summary>Committed entries to apply, in order. Conf changes among them take effect on <see cref="RaftNode.Advance"/>.</summary>
    public IReadOnlyList<LogEntry> CommittedEntries { get; }

    /// <summary>Messages to send once everything above is durable.</summary>
    public IReadOnlyList<RaftMessage> Messages { get; }

    /// <summary>Confirmed read-index requests.</summary>
    public IReadOnlyList<ReadState> ReadStates { get; }

    /// <summary>True when entries, the snapshot, the term or the vote changed: fsync before sending.</summary>
    public bool MustSync { get; }
}
