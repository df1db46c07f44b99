using Xinfra.Northguard.Protocol;

namespace Xinfra.Northguard.Transport;

/// <summary>
/// Group membership: join, heartbeat in the background (reporting the ranges held), leave. The member holds its ranges
/// on a lease: from the send time of the last acknowledged heartbeat, for one session timeout. A member that cannot
/// renew it (coordinator gone, partitioned, or it expelled the member) stops reading and committing when it runs out,
/// which is never later than the coordinator expels it; a coordinator that takes the group over waits as long before
/// it grants (<see cref="Groups.GroupState.TakeoverGrace"/>).
/// </summary>
internal sealed partial class NorthguardTransportConsumer
{
    /// <summary>How long the coordinator waits for a heartbeat before it expels the member.</summary>
    private TimeSpan SessionTimeout => _transport.Settings.GroupSessionTimeout;

    /// <summary>The time between heartbeats (a release is reported at once).</summary>
    private TimeSpan HeartbeatInterval => _transport.Settings.GroupHeartbeatInterval;

    /// <summary>Ranges this member holds: applied ones and grants not applied yet. The coordinator sees this set.</summary>
    private readonly HashSet<ulong> _held = [];
    private readonly List<ulong> _pendingGrants = [];

    /// <summary>The lease epoch of each held range (from its grant): commits carry it and are fenced by the broker.</summary>
    private readonly Dictionary<ulong, long> _leases = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _wake;
    private HashSet<ulong>? _target;
    private bool _lost;
    private long? _leaseFrom;
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
                TimeSpan remaining;
                lock (_lock)
                {
                    held = [.. _held];
                    remaining = _leaseFrom is { } from && held.Length > 0 ? SessionTimeout - _transport.Time.GetElapsedTime(from) : Timeout.InfiniteTimeSpan;
                }

                if (remaining != Timeout.InfiniteTimeSpan && remaining <= TimeSpan.Zero)
                {
                    LoseLease();
                    await WaitForNextBeatAsync(stop).ConfigureAwait(false);
                    continue;
                }

                // The call cannot outlive the lease: when it runs out, the member drops its ranges (LoseLease).
                using var expiry = new CancellationTokenSource(remaining, _transport.Time);
                using var call = CancellationTokenSource.CreateLinkedTokenSource(stop, expiry.Token);
                long sent = _transport.Time.GetTimestamp();
                GroupResponse response;
                try
                {
                    response = await _transport.Groups.HeartbeatAsync(_spec.GroupId, _topic.Name, _memberId, held, call.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (expiry.IsCancellationRequested && !stop.IsCancellationRequested)
                {
                    LoseLease();
                    await WaitForNextBeatAsync(stop).ConfigureAwait(false);
                    continue;
                }

                lock (_lock)
                {
                    if (response.Error == GroupError.UnknownMember)
                    {
                        _lost = true;
                        _changed.TrySetResult();
                    }
                    else if (!_lost)
                    {
                        _leaseFrom = Math.Max(_leaseFrom ?? sent, sent);
                        var target = new HashSet<ulong>(response.Target);
                        var changed = _target is null || !_target.SetEquals(target);
                        _target = target;
                        foreach (var lease in response.Leases)
                        {
                            _leases[lease.RangeId] = Math.Max(lease.Epoch, _leases.GetValueOrDefault(lease.RangeId));
                        }

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

            await WaitForNextBeatAsync(stop).ConfigureAwait(false);
        }
    }

    private async Task WaitForNextBeatAsync(CancellationToken stop)
    {
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

    /// <summary>True when the member holds ranges and a session timeout passed since its last acknowledged heartbeat was sent. Call under the lock.</summary>
    private bool LeaseExpired() =>
        _held.Count > 0 && _leaseFrom is { } from && _transport.Time.GetElapsedTime(from) > SessionTimeout;

    /// <summary>The lease ran out: the coordinator may have granted the ranges to another member. Drop them (no commit) and rejoin.</summary>
    private void LoseLease()
    {
        lock (_lock)
        {
            if (_held.Count > 0 || _assignment.Count > 0)
            {
                _lost = true;
                _changed.TrySetResult();
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
