using System.Buffers.Binary;
using Xinfra.Northguard.Storage.Format;
using Xinfra.Northguard.Storage.Wal;

namespace Xinfra.Northguard.Storage;

public sealed partial class FpsStore
{
    /// <summary>
    /// Appends a batch already encoded in the store's batch format (docs/storage.md) — typically by a producer — as
    /// it is: the store checks its header, CRC32C, timestamps and record structure, copies it into the WAL, and stamps
    /// the segment's next offset as its base offset (patching the CRC arithmetically). Returns the offsets at once, like
    /// <see cref="Append"/>; await <see cref="WaitForDurableAsync"/> for durability.
    /// </summary>
    /// <exception cref="InvalidBatchException">The batch is malformed.</exception>
    public AppendResult AppendEncoded(long segmentId, ReadOnlySpan<byte> batch)
    {
        var error = BatchWalker.TryWalk(batch, out var shape);
        if (error is not null)
        {
            throw new InvalidBatchException(error);
        }

        return AppendWalked(segmentId, batch, shape.RecordCount);
    }

    /// <summary>
    /// Appends a batch the caller already checked with <see cref="BatchWalker.TryWalk"/> (its CRC included: the
    /// stamped CRC is derived from the sent one, so a batch whose CRC was wrong would stay wrong).
    /// </summary>
    internal AppendResult AppendWalked(long segmentId, ReadOnlySpan<byte> batch, int recordCount)
    {
        ThrowIfBatchTooLarge(batch.Length);
        lock (_appendLock)
        {
            var segment = AppendableSegment(segmentId);
            var baseOffset = segment.AssignedNext;
            var group = _current;
            var size = batch.Length;
            var entry = group.Reserve(WalFormat.DataPrefixSize + size, out var start);
            WalFormat.WriteDataPrefix(entry, segmentId, size);
            var stored = entry.Slice(WalFormat.DataPrefixSize, size);
            batch.CopyTo(stored);
            // Stamp the base offset and patch the CRC for it (no second pass over the batch).
            ulong sentOffset = BinaryPrimitives.ReadUInt64LittleEndian(stored[16..]);
            BinaryPrimitives.WriteInt64LittleEndian(stored[16..], baseOffset);
            uint crc = Crc32C.Patch8(BinaryPrimitives.ReadUInt32LittleEndian(stored[8..]), sentOffset, (ulong)baseOffset, size - 24);
            BinaryPrimitives.WriteUInt32LittleEndian(stored[8..], crc);
            return Enlist(group, segment, entry, start, size, recordCount);
        }
    }
}
