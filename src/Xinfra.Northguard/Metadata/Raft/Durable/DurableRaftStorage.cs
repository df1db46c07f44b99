namespace Xinfra.Northguard.Metadata.Raft.Durable;

/// <summary>
/// One group's storage in a shared <see cref="RaftWal"/>: reads come from memory, writes are appended to the WAL
/// and become durable at the WAL's next <see cref="RaftWal.Sync"/>.
/// </summary>
public sealed class DurableRaftStorage : IWritableRaftStorage
{
    private readonly RaftWal _wal;

    internal DurableRaftStorage(RaftWal wal, ulong group, MemoryRaftStorage memory)
    {
        _wal = wal;
        Group = group;
        Memory = memory;
    }

    /// <summary>The Raft group this storage belongs to.</summary>
    public ulong Group { get; }

    internal MemoryRaftStorage Memory { get; }

    /// <inheritdoc />
    public HardState HardState => Memory.HardState;

    /// <inheritdoc />
    public RaftSnapshot Snapshot => Memory.Snapshot;

    /// <inheritdoc />
    public long FirstIndex => Memory.FirstIndex;

    /// <inheritdoc />
    public long LastIndex => Memory.LastIndex;

    /// <inheritdoc />
    public bool TryGetTerm(long index, out long term) => Memory.TryGetTerm(index, out term);

    /// <inheritdoc />
    public void GetEntries(long low, long high, List<LogEntry> into) => Memory.GetEntries(low, high, into);

    /// <inheritdoc />
    public void Append(IReadOnlyList<LogEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        for (int i = 0; i < entries.Count; i++)
        {
            _wal.Write(WalRecordType.Entry, Group, WalCodec.Entry(entries[i]));
        }

        Memory.Append(entries);
    }

    /// <inheritdoc />
    public void SetHardState(HardState state)
    {
        _wal.Write(WalRecordType.HardState, Group, WalCodec.HardState(state));
        Memory.SetHardState(state);
    }

    /// <inheritdoc />
    public void ApplySnapshot(RaftSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (snapshot.Index <= Memory.Snapshot.Index)
        {
            return;
        }

        _wal.Write(WalRecordType.Snapshot, Group, WalCodec.Snapshot(snapshot));
        Memory.ApplySnapshot(snapshot);
    }

    /// <inheritdoc />
    public void Compact(long index, IReadOnlyList<ulong> voters, ReadOnlyMemory<byte> data)
    {
        ArgumentNullException.ThrowIfNull(voters);
        if (index <= Memory.Snapshot.Index)
        {
            return;
        }

        Memory.Compact(index, voters, data);
        _wal.Write(WalRecordType.Compact, Group, WalCodec.Snapshot(Memory.Snapshot));
    }
}
