using Xinfra.Northguard.Protocol;
using Xinfra.Transport;

namespace Xinfra.Northguard.Transport;

/// <summary>
/// Group membership: join, heartbeat in the background (reporting the ranges held), and apply the coordinator's
/// answer inside <see cref="ReadAsync"/>: revoke ranges no longer targeted (listener first, then release), take
/// granted ranges at their committed position (or the <see cref="AutoOffsetReset"/> position).
/// </summary>
internal sealed partial class NorthguardTransportConsumer
{
    /// <summary>How long the coordinator waits for a heartbeat before it expels the member.</summary>
    internal static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The time between heartbeats (a release is reported at once).</summary>
    internal static readonly TimeSpan HeartbeatInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>Ranges this member holds: applied ones and grants not applied yet. The coordinator sees this set.</summary>
    private readonly HashSet<ulong> _held = [];
    private readonly List<ulong> _pendingGrants = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _wake;
    private HashSet<ulong>? _target;
    private bool _lost;
    private string _memberId = string.Empty;
    private Task? _heartbeats;

    private async Task JoinAsync(CancellationToken cancellationToken)
    {
        var response = await _transport.Groups.JoinAsync(_spec.GroupId, _topic.Name, _memberId, SessionTimeout, cancellationToken).ConfigureAwait(false);
        _memberId = response.MemberId;
        _joined = true;
        _heartbeats ??= Task.Run(HeartbeatLoopAsync, CancellationToken.None);
        WakeHeartbeat();
    }

    private async Task HeartbeatLoopAsync()
    {
        var stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                ulong[] held;
                lock (_lock)
                {
                    held = [.. _held];
                }

                var response = await _transport.Groups.HeartbeatAsync(_spec.GroupId, _topic.Name, _memberId, held, stop).ConfigureAwait(false);
                lock (_lock)
                {
                    if (response.Error == GroupError.UnknownMember)
                    {
                        _lost = true;
                        _changed.TrySetResult();
                    }
                    else if (!_lost)
                    {
                        var target = new HashSet<ulong>(response.Target);
                        var changed = _target is null || !_target.SetEquals(target);
                        _target = target;
                        foreach (var range in response.Granted)
                        {
                            if (_held.Add(range))
                            {
                                _pendingGrants.Add(range);
                                changed = true;
                            }
                        }

                        if (changed || _assignment.Any(tp => !target.Contains((ulong)tp.Partition)))
                        {
                            _changed.TrySetResult();
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (XinfraException)
            {
                // Transient coordinator trouble: retry on the next beat; a long outage expels the member, which
                // then rejoins.
            }

            using var delay = CancellationTokenSource.CreateLinkedTokenSource(stop);
            lock (_lock)
            {
                _wake = delay;
            }

            try
            {
                await Task.Delay(HeartbeatInterval, _transport.Time, delay.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            lock (_lock)
            {
                _wake = null;
            }
        }
    }

    /// <summary>Sends the next heartbeat now (after a release, so the next owner gets the range sooner).</summary>
    private void WakeHeartbeat()
    {
        lock (_lock)
        {
            _wake?.Cancel();
        }
    }

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
                _pendingGrants.Clear();
                _starts.Clear();
                _target = null;
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

    private async Task LeaveAsync()
    {
        if (!_joined)
        {
            return;
        }

        try
        {
            await _transport.Groups.LeaveAsync(_spec.GroupId, _topic.Name, _memberId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (XinfraException)
        {
            // The coordinator expels the member when its session times out.
        }
    }
}
