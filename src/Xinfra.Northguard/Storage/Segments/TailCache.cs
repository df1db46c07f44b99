using Xinfra.Northguard.Storage.Format;

namespace Xinfra.Northguard.Storage.Segments;

/// <summary>
/// The most recent batches of a segment, kept in memory only while consume streams tail it, so hot tail reads
/// never touch the disk. Bounded in bytes; the oldest batches are evicted first.
/// </summary>
internal sealed class TailCache(int capacityBytes)
{
    private readonly Lock _lock = new();
    private readonly Queue<(long Base, long Next, byte[] Batch)> _batches = new();
    private long _bytes;

    public void Add(long baseOffset, long nextOffset, byte[] batch)
    {
        if (batch.Length > capacityBytes)
        {
            Clear();
            return;
        }

        lock (_lock)
        {
            _batches.Enqueue((baseOffset, nextOffset, batch));
            _bytes += batch.Length;
            while (_bytes > capacityBytes)
            {
                _bytes -= _batches.Dequeue().Batch.Length;
            }
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _batches.Clear();
            _bytes = 0;
        }
    }

    /// <summary>
    /// Serves a read from memory when the cache holds the batch with <paramref name="offset"/>; stops at the first gap
    /// (batches applied while no reader was registered are missing), so it never skips a record.
    /// </summary>
    public bool TryRead(long offset, int maxBytes, long limit, List<StoredRecord> output)
    {
        lock (_lock)
        {
            var expected = offset;
            var bytes = 0;
            foreach (var (start, next, batch) in _batches)
            {
                if (next <= expected)
                {
                    continue;
                }

                if (start > expected || bytes >= maxBytes)
                {
                    break;
                }

                BatchDecoder.TryDecode(batch, expected, limit, output);
                bytes += batch.Length;
                expected = next;
            }

            return bytes > 0;
        }
    }

    /// <summary>
    /// The cached batches from the one holding <paramref name="offset"/>, contiguous, until <paramref name="maxBytes"/>
    /// or <paramref name="maxRecords"/> and never one reaching past <paramref name="limit"/>; false (nothing added) when
    /// the first is not cached.
    /// </summary>
    public bool TryReadBatches(long offset, int maxBytes, long maxRecords, long limit, List<ReadOnlyMemory<byte>> output)
    {
        lock (_lock)
        {
            var expected = offset;
            var bytes = 0;
            var records = 0L;
            foreach (var (start, next, batch) in _batches)
            {
                if (next <= expected)
                {
                    continue;
                }

                if (start > expected || bytes >= maxBytes || records >= maxRecords || next > limit)
                {
                    break;
                }

                output.Add(batch);
                bytes += batch.Length;
                records += next - expected;
                expected = next;
            }

            return bytes > 0;
        }
    }
}
