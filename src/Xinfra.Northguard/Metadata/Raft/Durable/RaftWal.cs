namespace Xinfra.Northguard.Metadata.Raft.Durable;

/// <summary>
/// A write-ahead log shared by every Raft group of a broker: each group's entries, hard state and snapshots are
/// records (with a CRC each) in one file, so one <see cref="Sync"/> makes a whole batch of groups durable. Reopening
/// replays the file into memory, truncating a torn or corrupt tail; when the file grows past
/// <see cref="CheckpointBytes"/> it is rewritten with only the live state. Not thread-safe.
/// </summary>
public sealed partial class RaftWal : IDisposable
{
    /// <summary>The WAL's file name inside its directory.</summary>
    public const string FileName = "raft.wal";

    private readonly string _path;
    private readonly Dictionary<ulong, DurableRaftStorage> _groups = [];
    private FileStream _file;
    private bool _dirty;

    private RaftWal(string directory, long checkpointBytes)
    {
        _path = Path.Combine(directory, FileName);
        CheckpointBytes = checkpointBytes;
        _file = null!;
    }

    /// <summary>Rewrite the file once it is larger than this many bytes.</summary>
    public long CheckpointBytes { get; }

    /// <summary>How many fsyncs this WAL has issued.</summary>
    public long SyncCount { get; private set; }

    /// <summary>How many bytes of torn or corrupt tail were dropped when it was opened.</summary>
    public long TruncatedBytes { get; private set; }

    /// <summary>The current file length in bytes.</summary>
    public long Length => _file.Length;

    /// <summary>The file length at the last <see cref="Sync"/> (or open): everything before it is durable.</summary>
    public long SyncedLength { get; private set; }

    /// <summary>The groups that have state in this WAL.</summary>
    public IReadOnlyCollection<ulong> Groups => _groups.Keys;

    /// <summary>Opens (creating if needed) the WAL in <paramref name="directory"/> and replays it.</summary>
    public static RaftWal Open(string directory, long checkpointBytes = 64L << 20)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        var wal = new RaftWal(directory, checkpointBytes);
        wal.Replay();
        return wal;
    }

    /// <summary>
    /// The storage of one group. A group not in the WAL is created: bootstrapped with <paramref name="voters"/>
    /// (a founding member), or empty (a member joining later). Call <see cref="Sync"/> before relying on it.
    /// </summary>
    public DurableRaftStorage GetOrCreate(ulong group, IReadOnlyList<ulong>? voters = null)
    {
        if (_groups.TryGetValue(group, out var storage))
        {
            return storage;
        }

        storage = new DurableRaftStorage(this, group, new MemoryRaftStorage());
        _groups[group] = storage;
        if (voters is { Count: > 0 })
        {
            storage.ApplySnapshot(new RaftSnapshot(1, 1, [.. voters], ReadOnlyMemory<byte>.Empty));
            storage.SetHardState(new HardState(1, 0, 1));
        }

        return storage;
    }

    /// <summary>Flushes every record written since the last sync to disk with one fsync.</summary>
    public void Sync()
    {
        if (!_dirty)
        {
            return;
        }

        _file.Flush(flushToDisk: true);
        _dirty = false;
        SyncCount++;
        SyncedLength = _file.Length;
        if (_file.Length > CheckpointBytes)
        {
            Checkpoint();
        }
    }

    internal void Write(WalRecordType type, ulong group, ReadOnlySpan<byte> payload)
    {
        _file.Write(WalCodec.Frame(type, group, payload));
        _dirty = true;
    }

    /// <summary>Closes the file. Records not synced may be lost, as in a crash.</summary>
    public void Dispose() => _file.Dispose();
}
