namespace Xinfra.Northguard.Storage.Index;

/// <summary>An <see cref="ISparseIndex"/> in memory, for unit tests and the simulator (it survives simulated crashes).</summary>
public sealed class InMemorySparseIndex : ISparseIndex
{
    private readonly Lock _lock = new();
    private readonly Dictionary<long, List<IndexEntry>> _entries = [];
    private readonly Dictionary<long, SealRecord> _seals = [];

    /// <summary>How many entries the index holds, for tests.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Values.Sum(l => l.Count);
            }
        }
    }

    /// <inheritdoc />
    public void Add(IReadOnlyList<IndexEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        lock (_lock)
        {
            foreach (var e in entries)
            {
                if (!_entries.TryGetValue(e.SegmentId, out var list))
                {
                    _entries[e.SegmentId] = list = [];
                }

                var at = Find(list, e.Offset);
                if (at >= 0 && list[at].Offset == e.Offset)
                {
                    list[at] = e;
                }
                else
                {
                    list.Insert(at + 1, e);
                }
            }
        }
    }

    /// <inheritdoc />
    public IndexEntry? FloorByOffset(long segmentId, long offset)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(segmentId, out var list))
            {
                return null;
            }

            var at = Find(list, offset);
            return at >= 0 ? list[at] : null;
        }
    }

    /// <inheritdoc />
    public IndexEntry? FloorByTimestamp(long segmentId, long timestamp)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(segmentId, out var list))
            {
                return null;
            }

            int lo = 0, hi = list.Count - 1, found = -1;
            while (lo <= hi)
            {
                var mid = (lo + hi) / 2;
                if (list[mid].MaxTimestampBefore < timestamp)
                {
                    found = mid;
                    lo = mid + 1;
                }
                else
                {
                    hi = mid - 1;
                }
            }

            return found >= 0 ? list[found] : null;
        }
    }

    /// <inheritdoc />
    public void MarkSealed(long segmentId, SealRecord seal)
    {
        lock (_lock)
        {
            _seals[segmentId] = seal;
        }
    }

    /// <inheritdoc />
    public SealRecord? GetSeal(long segmentId)
    {
        lock (_lock)
        {
            return _seals.TryGetValue(segmentId, out var s) ? s : null;
        }
    }

    /// <inheritdoc />
    public void RemoveSegment(long segmentId)
    {
        lock (_lock)
        {
            _entries.Remove(segmentId);
            _seals.Remove(segmentId);
        }
    }

    /// <inheritdoc />
    public void Sync()
    {
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    /// <summary>Index of the last entry with Offset &lt;= offset, or -1.</summary>
    private static int Find(List<IndexEntry> list, long offset)
    {
        int lo = 0, hi = list.Count - 1, found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            if (list[mid].Offset <= offset)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }
}
