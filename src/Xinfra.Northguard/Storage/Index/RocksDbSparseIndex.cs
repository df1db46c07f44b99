using System.Buffers.Binary;
using RocksDbSharp;

namespace Xinfra.Northguard.Storage.Index;

/// <summary>
/// The <see cref="ISparseIndex"/> kept in RocksDB. Keys are big-endian with the sign bit flipped so that byte order is
/// numeric order: <c>'o' segment offset → position, maxTsBefore</c>, <c>'t' segment maxTsBefore offset → position</c>
/// and <c>'s' segment → seal record</c>. Entry writes are not synced (they are hints); seals and <see cref="Sync"/> are.
/// </summary>
public sealed class RocksDbSparseIndex : ISparseIndex
{
    private readonly RocksDb _db;
    private readonly WriteOptions _syncWrite = new WriteOptions().SetSync(true);
    private readonly WriteOptions _write = new WriteOptions().SetSync(false);

    /// <summary>Opens (creating if needed) the index database in <paramref name="directory"/>.</summary>
    public RocksDbSparseIndex(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        var options = new DbOptions().SetCreateIfMissing(true);
        _db = RocksDb.Open(options, directory);
    }

    /// <inheritdoc />
    public void Add(IReadOnlyList<IndexEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return;
        }

        using var batch = new WriteBatch();
        Span<byte> value = stackalloc byte[16];
        foreach (var e in entries)
        {
            BinaryPrimitives.WriteInt64LittleEndian(value, e.Position);
            BinaryPrimitives.WriteInt64LittleEndian(value[8..], e.MaxTimestampBefore);
            batch.Put(Key('o', e.SegmentId, e.Offset), value);
            batch.Put(Key('t', e.SegmentId, e.MaxTimestampBefore, e.Offset), value[..8]);
        }

        _db.Write(batch, _write);
    }

    /// <inheritdoc />
    public IndexEntry? FloorByOffset(long segmentId, long offset)
    {
        using var it = _db.NewIterator(null, null);
        it.SeekForPrev(Key('o', segmentId, offset));
        if (!it.Valid() || !HasPrefix(it.GetKeySpan(), 'o', segmentId))
        {
            return null;
        }

        var value = it.GetValueSpan();
        return new IndexEntry(
            segmentId,
            Unflip(it.GetKeySpan()[9..]),
            BinaryPrimitives.ReadInt64LittleEndian(value),
            BinaryPrimitives.ReadInt64LittleEndian(value[8..]));
    }

    /// <inheritdoc />
    public IndexEntry? FloorByTimestamp(long segmentId, long timestamp)
    {
        if (timestamp == long.MinValue)
        {
            return null;
        }

        using var it = _db.NewIterator(null, null);
        it.SeekForPrev(Key('t', segmentId, timestamp - 1, long.MaxValue));
        if (!it.Valid() || !HasPrefix(it.GetKeySpan(), 't', segmentId))
        {
            return null;
        }

        var key = it.GetKeySpan();
        return new IndexEntry(segmentId, Unflip(key[17..]), BinaryPrimitives.ReadInt64LittleEndian(it.GetValueSpan()), Unflip(key[9..]));
    }

    /// <inheritdoc />
    public void MarkSealed(long segmentId, SealRecord seal)
    {
        Span<byte> value = stackalloc byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(value, seal.NextOffset);
        BinaryPrimitives.WriteInt64LittleEndian(value[8..], seal.FileLength);
        _db.Put(Key('s', segmentId), value, null, _syncWrite);
    }

    /// <inheritdoc />
    public SealRecord? GetSeal(long segmentId)
    {
        var value = _db.Get(Key('s', segmentId), null, null);
        return value is { Length: 16 }
            ? new SealRecord(BinaryPrimitives.ReadInt64LittleEndian(value), BinaryPrimitives.ReadInt64LittleEndian(value.AsSpan(8)))
            : null;
    }

    /// <inheritdoc />
    public void RemoveSegment(long segmentId)
    {
        using var batch = new WriteBatch();
        foreach (var kind in "ot")
        {
            var start = Key(kind, segmentId);
            var end = new byte[18];
            start.CopyTo(end, 0);
            end.AsSpan(9).Fill(0xFF);
            batch.DeleteRange(start, (ulong)start.Length, end, (ulong)end.Length, null);
        }

        batch.Delete(Key('s', segmentId), null);
        _db.Write(batch, _syncWrite);
    }

    /// <inheritdoc />
    public void Sync() => _db.Put("z"u8, "sync"u8, null, _syncWrite);

    /// <inheritdoc />
    public void Dispose() => _db.Dispose();

    private static byte[] Key(char kind, long segmentId, params ReadOnlySpan<long> rest)
    {
        var key = new byte[9 + (8 * rest.Length)];
        key[0] = (byte)kind;
        Flip(key.AsSpan(1), segmentId);
        for (var i = 0; i < rest.Length; i++)
        {
            Flip(key.AsSpan(9 + (8 * i)), rest[i]);
        }

        return key;
    }

    private static bool HasPrefix(ReadOnlySpan<byte> key, char kind, long segmentId) =>
        key.Length >= 17 && key[0] == (byte)kind && Unflip(key[1..]) == segmentId;

    private static void Flip(Span<byte> destination, long value) =>
        BinaryPrimitives.WriteUInt64BigEndian(destination, (ulong)value ^ 0x8000000000000000UL);

    private static long Unflip(ReadOnlySpan<byte> source) =>
        (long)(BinaryPrimitives.ReadUInt64BigEndian(source) ^ 0x8000000000000000UL);
}
