namespace Xinfra.Northguard.DataPath;

/// <summary>Sealing (replica failure or timeout, size, age) and the monitor that detects timeouts and age.</summary>
internal sealed partial class SegmentLeader
{
    /// <summary>
    /// Seals the segment at the committed offset (every record below it is durable on every replica and was or is
    /// being acknowledged), records the seal in metadata, tells producers to roll, and stops the followers.
    /// </summary>
    public async Task SealAsync(string reason)
    {
        ProduceSession[] sessions;
        long end;
        lock (_lock)
        {
            if (_sealing)
            {
                return;
            }

            _sealing = true;
            end = _committed;
            sessions = [.. _sessions];
            _sessions.Clear();
        }

        DataPathLog.Sealing(_engine.Logger, Id.ToString(), end, reason);
        try
        {
            await _engine.Metadata.SealSegmentAsync(Id, end, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            DataPathLog.SealFailed(_engine.Logger, Id.ToString(), e);
        }

        _engine.RemoveLeader(this);
        foreach (var session in sessions)
        {
            session.OnSealed(end);
        }

        foreach (var follower in _followers)
        {
            follower.Seal();
        }

        lock (_lock)
        {
            _changed.TrySetResult();
        }

        _ = SealLocalAsync();
    }

    private async Task SealLocalAsync()
    {
        try
        {
            await _engine.Store.SealSegmentAsync(StoreId, _engine.Stopping).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            DataPathLog.SealFailed(_engine.Logger, Id.ToString(), e);
        }
    }

    private async Task MonitorAsync()
    {
        var interval = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond * 10, _engine.Options.ReplicaTimeout.Ticks / 4));
        try
        {
            while (!IsSealing)
            {
                await Task.Delay(interval, _engine.Time, _engine.Stopping).ConfigureAwait(false);
                string? reason = CheckTimeouts();
                if (reason is not null)
                {
                    await SealAsync(reason).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Broker stopping.
        }
    }

    private string? CheckTimeouts()
    {
        if (_engine.Time.GetElapsedTime(_createdAt) >= Policy.SegmentAge)
        {
            return "age limit reached";
        }

        lock (_lock)
        {
            if (_pending.TryPeek(out var oldest) && _engine.Time.GetElapsedTime(oldest.AppendedAt) >= _engine.Options.ReplicaTimeout)
            {
                foreach (var (replica, durable) in _durable)
                {
                    if (durable < oldest.End)
                    {
                        return $"replica {replica} timed out";
                    }
                }
            }
        }

        return null;
    }
}
