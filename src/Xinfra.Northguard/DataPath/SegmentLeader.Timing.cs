namespace Xinfra.Northguard.DataPath;

/// <summary>Stage timings of appends (<see cref="LeaderStageMetrics"/>), kept only while a listener is enabled.</summary>
internal sealed partial class SegmentLeader
{
    private readonly Queue<(long End, long Taken, int Records)> _awaitingLocal = new();
    private readonly Queue<(long End, long Taken, int Records)> _awaitingCommit = new();

    /// <summary>Under the lock: an append ending at <paramref name="end"/> was taken at <paramref name="taken"/>.</summary>
    private void TimeAppended(long end, long taken, int records)
    {
        if (!LeaderStageMetrics.Enabled)
        {
            _awaitingLocal.Clear();
            _awaitingCommit.Clear();
            return;
        }

        _awaitingLocal.Enqueue((end, taken, records));
        _awaitingCommit.Enqueue((end, taken, records));
    }

    /// <summary>Under the lock: the leader's own durable end or the committed offset moved.</summary>
    private void TimeDurable(bool local, long end)
    {
        var queue = local ? _awaitingLocal : _awaitingCommit;
        if (queue.Count == 0)
        {
            return;
        }

        long now = _engine.Time.GetTimestamp();
        var histogram = local ? LeaderStageMetrics.LocalDurable : LeaderStageMetrics.Committed;
        while (queue.TryPeek(out var append) && append.End <= end)
        {
            queue.Dequeue();
            histogram.Record(_engine.Time.GetElapsedTime(append.Taken, now).TotalMilliseconds, new KeyValuePair<string, object?>(Monitoring.MeterCollector.WeightTag, append.Records));
        }
    }
}
