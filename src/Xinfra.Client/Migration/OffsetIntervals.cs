namespace Xinfra.Migration;

/// <summary>A set of offsets kept as sorted, disjoint, half-open intervals [start, end). Small when offsets are dense.</summary>
public sealed class OffsetIntervals
{
    private readonly List<(long Start, long End)> _intervals = [];

    /// <summary>The intervals, sorted and disjoint, as [start, end) pairs.</summary>
    public IReadOnlyList<(long Start, long End)> Intervals => _intervals;

    /// <summary>True when <paramref name="offset"/> is in the set.</summary>
    public bool Contains(long offset)
    {
        var index = Find(offset);
        return index >= 0 && offset < _intervals[index].End;
    }

    /// <summary>Adds one offset, merging with neighbours.</summary>
    public void Add(long offset) => Add(offset, offset + 1);

    /// <summary>Adds [start, end), merging with overlapping or adjacent intervals.</summary>
    public void Add(long start, long end)
    {
        if (end <= start)
        {
            return;
        }

        var i = Find(start);
        if (i >= 0 && _intervals[i].End >= start)
        {
            start = _intervals[i].Start;
        }
        else
        {
            i++;
        }

        var j = i;
        while (j < _intervals.Count && _intervals[j].Start <= end)
        {
            end = Math.Max(end, _intervals[j].End);
            j++;
        }

        _intervals.RemoveRange(i, j - i);
        _intervals.Insert(i, (start, end));
    }

    /// <summary>Drops every offset below <paramref name="floor"/>.</summary>
    public void TrimBelow(long floor)
    {
        while (_intervals.Count > 0 && _intervals[0].End <= floor)
        {
            _intervals.RemoveAt(0);
        }

        if (_intervals.Count > 0 && _intervals[0].Start < floor)
        {
            _intervals[0] = (floor, _intervals[0].End);
        }
    }

    /// <summary>The index of the last interval starting at or before <paramref name="offset"/>, or -1.</summary>
    private int Find(long offset)
    {
        int lo = 0, hi = _intervals.Count - 1, found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_intervals[mid].Start <= offset)
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
