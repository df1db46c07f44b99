namespace Xinfra.Northguard.Metadata.Raft;

/// <summary>An in-memory <see cref="IWritableRaftStorage"/>: for tests, and the cache under the durable store.</summary>
public sealed class MemoryRaftStorage : IWritableRaftStorage
{
    // _entries[0] is a sentinel at the snapshot's index and term.
    private readonly List<LogEntry> _entries = [default];

    /// <summary>
    /// Creates an empty storage. With <paramref name="voters"/>, bootstraps a founding member of a new group: a
    /// snapshot at index 1, term 1 holding the initial voters (a node joining later starts empty and receives it).
    /// </summary>
    public MemoryRaftStorage(IReadOnlyList<ulong>? voters = null)
    {
        Snapshot = RaftSnapshot.Empty;
        if (voters is { Count: > 0 })
        {
            ApplySnapshot(new RaftSnapshot(1, 1, [.. voters], ReadOnlyMemory<byte>.Empty));
            HardState = new HardState(1, 0, 1);
        }
    }

    /// <inheritdoc />
    public HardState HardState { get; private set; }

    /// <inheritdoc />
    public RaftSnapshot Snapshot { get; private set; }

    /// <inheritdoc />
    public long FirstIndex => _entries[0].Index + 1;

    /// <inheritdoc />
    public long LastIndex => _entries[0].Index + _entries.Count - 1;

    /// <summary>The number of entries held after the snapshot.</summary>
    public int Count => _entries.Count - 1;

    /// <inheritdoc />
    public bool TryGetTerm(long index, out long term)
    {
        long offset = _entries[0].Index;
        if (index < offset || index > LastIndex)
        {
            term = 0;
            return false;
        }

        term = _entries[(int)(index - offset)].Term;
        return true;
    }

    /// <inheritdoc />
    public void GetEntries(long low, long high, List<LogEntry> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        if (low < FirstIndex || high > LastIndex + 1 || low > high)
        {
            throw new ArgumentOutOfRangeException(nameof(low), $"[{low}, {high}) is outside [{FirstIndex}, {LastIndex + 1}).");
        }

        long offset = _entries[0].Index;
        for (long i = low; i < high; i++)
        {
            into.Add(_entries[(int)(i - offset)]);
        }
    }

    /// <inheritdoc />
    public void Append(IReadOnlyList<LogEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return;
        }

        long first = entries[0].Index;
        if (first > LastIndex + 1)
        {
            throw new InvalidOperationException($"Gap in the log: appending {first} after {LastIndex}.");
        }

        int skip = 0;
        if (first < FirstIndex)
        {
            // Entries already covered by the snapshot are committed, hence identical: skip them.
            skip = (int)(FirstIndex - first);
            if (skip >= entries.Count)
            {
                return;
            }
        }

        long start = entries[skip].Index;
        int keep = (int)(start - _entries[0].Index);
        _entries.RemoveRange(keep, _entries.Count - keep);
        for (int i = skip; i < entries.Count; i++)
        {
            _entries.Add(entries[i]);
        }
    }

    /// <inheritdoc />
    public void SetHardState(HardState state) => HardState = state;

    /// <inheritdoc />
    public void ApplySnapshot(RaftSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (snapshot.Index <= Snapshot.Index)
        {
            return;
        }

        Snapshot = snapshot;
        _entries.Clear();
        _entries.Add(new LogEntry(snapshot.Index, snapshot.Term, EntryKind.Normal, ReadOnlyMemory<byte>.Empty));
    }

    /// <inheritdoc />
    public void Compact(long index, IReadOnlyList<ulong> voters, ReadOnlyMemory<byte> data)
    {
        ArgumentNullException.ThrowIfNull(voters);
        if (index <= _entries[0].Index)
        {
            return;
        }

        if (index > LastIndex)
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"Cannot compact to {index} beyond the last index {LastIndex}.");
        }

        int drop = (int)(index - _entries[0].Index);
        var sentinel = _entries[drop];
        Snapshot = new RaftSnapshot(index, sentinel.Term, [.. voters], data);
        _entries.RemoveRange(0, drop);
        _entries[0] = new LogEntry(sentinel.Index, sentinel.Term, EntryKind.Normal, ReadOnlyMemory<byte>.Empty);
    }
}
