using Xinfra.Transport;

namespace Xinfra.Northguard.Transport;

/// <summary>
/// Applies the coordinator's answer inside <see cref="ReadAsync"/>: revoke ranges no longer targeted (listener first,
/// then release), take granted ranges at their committed position (or the <see cref="AutoOffsetReset"/> position).
/// </summary>
internal sealed partial class NorthguardTransportConsumer
{
    /// <summary>Applies the coordinator's latest answer. Runs inside <see cref="ReadAsync"/>.</summary>
    private async Task RebalanceAsync(CancellationToken cancellationToken)
    {
        List<TopicPartition> revoked;
        List<ulong> granted;
        bool lost;
        lock (_lock)
        {
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
            lost = _lost;
            var target = _target;
            revoked = [.. _assignment.Where(tp => lost || target is null || !target.Contains((ulong)tp.Partition))];
            granted = lost ? [] : [.. _pendingGrants];
            _pendingGrants.Clear();
        }

        if (revoked.Count > 0)
        {
            // The listener commits what was processed before the ranges move on.
            _spec.Listener?.OnRevoked(this, revoked);
            lock (_lock)
            {
                foreach (var tp in revoked)
                {
                    var range = (ulong)tp.Partition;
                    StopRange(range);
                    _finished.Remove(range);
                    _starts.Remove(range);
                    _held.Remove(range);
                    _leases.Remove(range);
                    _paused.Remove(tp);
                }

                _assignment = [.. _assignment.Except(revoked)];
            }

            WakeHeartbeat();
        }

        if (lost)
        {
            lock (_lock)
            {
                _held.Clear();
                _leases.Clear();
                _pendingGrants.Clear();
                _starts.Clear();
                _target = null;
                _leaseFrom = null;
                _lost = false;
            }

            await JoinAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        if (granted.Count > 0)
        {
            try
            {
                await AssignAsync(granted, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or XinfraException)
            {
                // Not applied: keep the grants for the next read (they are still held at the coordinator).
                lock (_lock)
                {
                    _pendingGrants.AddRange(granted);
                    _changed.TrySetResult();
                }

                throw;
            }
        }
    }

    private async Task AssignAsync(List<ulong> granted, CancellationToken cancellationToken)
    {
        var ranges = await _transport.Reader.GetRangesAsync(_topic.Name, cancellationToken).ConfigureAwait(false);
        var starts = new Dictionary<ulong, long>(granted.Count);
        foreach (var range in granted)
        {
            var committed = await _transport.Reader.FetchPositionAsync(_spec.GroupId, _topic.Name, range, cancellationToken).ConfigureAwait(false);
            starts[range] = committed ?? (_spec.AutoOffsetReset == AutoOffsetReset.Earliest
                ? 0
                : await _transport.HighWatermarkAsync(_topic, range, cancellationToken).ConfigureAwait(false));
        }

        var partitions = granted.Select(r => new TopicPartition(_topic.Name, (long)r)).ToList();
        lock (_lock)
        {
            _ranges = ranges;
            _assignment = [.. _assignment, .. partitions];
        }

        _spec.Listener?.OnAssigned(this, partitions);
        lock (_lock)
        {
            foreach (var (range, offset) in starts)
            {
                _starts[range] = offset;
            }

            StartReadyRanges();
        }
    }
}
