using Xinfra.Northguard.Protocol;

namespace Xinfra.Northguard.Transport;

/// <summary>Group membership: join, heartbeat in the background (reporting the ranges held), leave.</summary>
internal sealed partial class NorthguardTransportConsumer
{
    /// <summary>How long the coordinator waits for a heartbeat before it expels the member.</summary>
    private TimeSpan SessionTimeout => _transport.Settings.GroupSessionTimeout;

    /// <summary>The time between heartbeats (a release is reported at once).</summary>
    private TimeSpan HeartbeatInterval => _transport.Settings.GroupHeartbeatInterval;

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
