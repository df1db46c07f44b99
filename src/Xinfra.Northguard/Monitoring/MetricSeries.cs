namespace Xinfra.Northguard.Monitoring;

/// <summary>How an instrument is exposed in the Prometheus text format.</summary>
internal enum MetricKind
{
    /// <summary>A monotonic sum (<c>Counter</c>, <c>ObservableCounter</c>).</summary>
    Counter,

    /// <summary>A value that goes up and down (up/down counters, gauges).</summary>
    Gauge,

    /// <summary>A distribution (<c>Histogram</c>), exposed with cumulative buckets.</summary>
    Histogram,
}

/// <summary>The aggregated state of one instrument for one label set; every member is guarded by the instance lock.</summary>
internal sealed class MetricSeries(string labels, int buckets)
{
    private readonly Lock _gate = new();
    private readonly long[] _bucketCounts = new long[buckets];
    private double _value;
    private double _sum;
    private long _count;

    /// <summary>The rendered label set (<c>a="x",b="y"</c>, sorted by name), empty for none.</summary>
    public string Labels { get; } = labels;

    public void Add(double value)
    {
        lock (_gate)
        {
            _value += value;
        }
    }

    public void Set(double value)
    {
        lock (_gate)
        {
            _value = value;
        }
    }

    public void Observe(double value, IReadOnlyList<double> bounds)
    {
        lock (_gate)
        {
            int i = 0;
            while (i < bounds.Count && value > bounds[i])
            {
                i++;
            }

            if (i < _bucketCounts.Length)
            {
                _bucketCounts[i]++;
            }

            _sum += value;
            _count++;
        }
    }

    /// <summary>The value (counters and gauges).</summary>
    public double Value
    {
        get
        {
            lock (_gate)
            {
                return _value;
            }
        }
    }

    /// <summary>A consistent copy of the histogram state: per-bucket (not cumulative) counts, sum and count.</summary>
    public (long[] Buckets, double Sum, long Count) Histogram()
    {
        lock (_gate)
        {
            return ((long[])_bucketCounts.Clone(), _sum, _count);
        }
    }
}
