namespace Xinfra.Northguard.DataPath;

/// <summary>Sealing (replica failure or timeout, size, age) and the monitor that asks the core for timeouts and age.</summary>
internal sealed partial class SegmentLeader
{
    /// <summary>
    /// Seals the segment at the committed offset (every record below it is durable on every replica and was or is
    /// being acknowledged), records the seal in metadata, tells producers to roll, and stops the followers. Producers
    /// are told the end the metadata holds, only once it holds one: until the seal commits (metadata may be electing a
    /// leader) this stays the range's leader, so no other broker seals it as an orphan at another end.
    /// </summary>
    /// <remarks>Every caller gets the same task: a second caller (a split or merge) waits until the seal is recorded.</remarks>
    public Task SealAsync(string reason)
    {
        ProduceSession[] sessions;
        long end;
        TaskCompletionSource sealedInMetadata;
        lock (_lock)
        {
            if (_sealed is { } running)
            {
                return running.Task;
            }

            _sealed = sealedInMetadata = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            end = _core.Seal().End; // The unacknowledged producers hear OnSealed below and resend on the next segment.
            sessions = [.. _sessions];
            _sessions.Clear();
        }

        _ = SealCoreAsync(reason, end, sessions, sealedInMetadata);
        return sealedInMetadata.Task;
    }

    private async Task SealCoreAsync(string reason, long end, ProduceSession[] sessions, TaskCompletionSource sealedInMetadata)
    {
        try
        {
            DataPathLog.Sealing(_engine.Logger, Id.ToString(), end, reason);
            end = await SealInMetadataAsync(end).ConfigureAwait(false);
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
        finally
        {
            sealedInMetadata.TrySetResult();
        }
    }

    /// <summary>
    /// Records the seal at <paramref name="end"/>, retrying while metadata is unavailable; returns the end the metadata
    /// holds (another broker's if it sealed the segment first). Gives up only when the broker stops.
    /// </summary>
    private async Task<long> SealInMetadataAsync(long end)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                await _engine.Metadata.SealSegmentAsync(Id, end, _engine.Store.GetSegment(StoreId)?.SizeBytes ?? -1, _engine.Stopping).ConfigureAwait(false);
                return end;
            }
            catch (OperationCanceledException) when (_engine.Stopping.IsCancellationRequested)
            {
                return end;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (attempt == 0)
                {
                    DataPathLog.SealFailed(_engine.Logger, Id.ToString(), e);
                }
            }

            try
            {
                var description = await _engine.Metadata.DescribeTopicAsync(Topic, _engine.Stopping).ConfigureAwait(false);
                var segment = description.Segments.FirstOrDefault(s => s.Id == Id);
                if (segment is null || segment.State != Metadata.Model.SegmentState.Open)
                {
                    return segment?.EndOffset ?? end;
                }
            }
            catch (UnknownTopicException)
            {
                return end; // The topic was deleted: nothing to seal.
            }
            catch (OperationCanceledException) when (_engine.Stopping.IsCancellationRequested)
            {
                return end;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Metadata still unavailable: wait and retry the seal.
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, 50 << Math.Min(attempt, 5))), _engine.Time, _engine.Stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return end;
            }
        }
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
        lock (_lock)
        {
            return _core.Tick(Now)?.ToString();
        }
    }
}
