namespace Xinfra.Northguard.Metadata.Raft;

/// <summary>
/// The stable (persisted) part of one group's log as the Raft node reads it. The host writes to it between
/// <see cref="RaftNode.GetReady"/> and <see cref="RaftNode.Advance"/>; the node never writes to it.
/// </summary>
public interface IRaftStorage
{
    /// <summary>The persisted hard state.</summary>
    HardState HardState { get; }

    /// <summary>The latest snapshot (index 0 when there is none).</summary>
    RaftSnapshot Snapshot { get; }

    /// <summary>The first index still in the log (snapshot index + 1).</summary>
    long FirstIndex { get; }

    /// <summary>The last index in the log (the snapshot index when the log is empty).</summary>
    long LastIndex { get; }

    /// <summary>Reads the term of entry <paramref name="index"/>; index <c>FirstIndex - 1</c> is the snapshot's.</summary>
    bool TryGetTerm(long index, out long term);

    /// <summary>Copies the entries in [<paramref name="low"/>, <paramref name="high"/>) into <paramref name="into"/>.</summary>
    void GetEntries(long low, long high, List<LogEntry> into);
}

/// <summary>A storage the host can write: what <see cref="RaftNode.GetReady"/> asks to persist.</summary>
public interface IWritableRaftStorage : IRaftStorage
{
    /// <summary>Appends entries, replacing any existing suffix from the first entry's index on.</summary>
    void Append(IReadOnlyList<LogEntry> entries);

    /// <summary>Records the hard state.</summary>
    void SetHardState(HardState state);

    /// <summary>Replaces the whole log by a received snapshot (ignored when older than the current one).</summary>
    void ApplySnapshot(RaftSnapshot snapshot);

    /// <summary>Takes a snapshot of the state machine at applied index <paramref name="index"/> and drops the log
    /// before it.</summary>
    void Compact(long index, IReadOnlyList<ulong> voters, ReadOnlyMemory<byte> data);
}
