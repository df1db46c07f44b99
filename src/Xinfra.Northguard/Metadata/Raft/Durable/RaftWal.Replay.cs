using System.Buffers.Binary;
using System.IO.Hashing;

namespace Xinfra.Northguard.Metadata.Raft.Durable;

/// <summary>Reopening: replay every intact record, drop a torn or corrupt tail; checkpointing.</summary>
public sealed partial class RaftWal
{
    private const int MaxRecordBytes = 256 << 20;

    private void Replay()
    {
        long good = 0;
        if (File.Exists(_path))
        {
            using var read = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.None);
            var header = new byte[WalCodec.HeaderSize];
            while (true)
            {
                if (read.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length)
                {
                    break;
                }

                int length = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(header), int.MaxValue);
                if (length < 9 || length > MaxRecordBytes)
                {
                    break;
                }

                var body = new byte[length];
                if (read.ReadAtLeast(body, length, throwOnEndOfStream: false) < length
                    || Crc32.HashToUInt32(body) != BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4)))
                {
                    break;
                }

                ApplyRecord((WalRecordType)body[0], BinaryPrimitives.ReadUInt64LittleEndian(body.AsSpan(1)), body.AsSpan(9));
                good = read.Position;
            }

            TruncatedBytes = read.Length - good;
        }

        _file = new FileStream(_path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        if (_file.Length != good)
        {
            _file.SetLength(good);
            _file.Flush(flushToDisk: true);
        }

        _file.Seek(0, SeekOrigin.End);
        SyncedLength = good;
    }

    private void ApplyRecord(WalRecordType type, ulong group, ReadOnlySpan<byte> payload)
    {
        if (!_groups.TryGetValue(group, out var storage))
        {
            storage = new DurableRaftStorage(this, group, new MemoryRaftStorage());
            _groups[group] = storage;
        }

        var memory = storage.Memory;
        switch (type)
        {
            case WalRecordType.Entry:
                memory.Append([WalCodec.ReadEntry(payload)]);
                break;
            case WalRecordType.HardState:
                memory.SetHardState(WalCodec.ReadHardState(payload));
                break;
            case WalRecordType.Snapshot:
                memory.ApplySnapshot(WalCodec.ReadSnapshot(payload));
                break;
            case WalRecordType.Compact:
                var snapshot = WalCodec.ReadSnapshot(payload);
                memory.Compact(snapshot.Index, snapshot.Voters, snapshot.Data);
                break;
            default:
                throw new InvalidDataException($"Unknown Raft WAL record type {(byte)type}.");
        }
    }

    /// <summary>Rewrites the WAL with only the live state of every group, then atomically replaces the file.</summary>
    public void Checkpoint()
    {
        string temp = _path + ".tmp";
        using (var output = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            var entries = new List<LogEntry>();
            foreach (var (group, storage) in _groups)
            {
                var memory = storage.Memory;
                if (memory.Snapshot.Index > 0)
                {
                    output.Write(WalCodec.Frame(WalRecordType.Snapshot, group, WalCodec.Snapshot(memory.Snapshot)));
                }

                entries.Clear();
                memory.GetEntries(memory.FirstIndex, memory.LastIndex + 1, entries);
                foreach (var entry in entries)
                {
                    output.Write(WalCodec.Frame(WalRecordType.Entry, group, WalCodec.Entry(entry)));
                }

                output.Write(WalCodec.Frame(WalRecordType.HardState, group, WalCodec.HardState(memory.HardState)));
            }

            output.Flush(flushToDisk: true);
        }

        _file.Dispose();
        File.Move(temp, _path, overwrite: true);
        _file = new FileStream(_path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        _file.Seek(0, SeekOrigin.End);
        SyncCount++;
        SyncedLength = _file.Length;
    }
}
