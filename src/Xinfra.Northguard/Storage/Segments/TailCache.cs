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

    /// <summary>Serves a read from memory when the cache covers <paramref name="offset"/>.</summary>
    public bool TryRead(long offset, int maxBytes, long limit, List<StoredRecord> output)
    {
        lock (_lock)
        {
            if (_batches.Count == 0 || offset < _batches.Peek().Base)
            {
                return false;
            }

            var bytes = 0;
            foreach (var (_, next, batch) in _batches)
            {
                if (next <= offset)
                {
                    continue;
                }

                if (bytes >= maxBytes)
                {
                    break;
                }

                BatchDecoder.TryDecode(batch, offset, limit, output);
                bytes += batch.Length;
            }

            return true;
        }
    }
}
