using Xinfra.Monitoring;
using Xinfra.Routing;
using Xinfra.Transport;

namespace Xinfra.Consuming;

/// <summary>
/// Following the topic's read epoch. When a phase flip changes the epoch to read, the member commits what it
/// processed on the old epoch, leaves that group, and joins the same group on the new epoch, starting from the
/// group's committed position there (or <see cref="ConsumerOptions{TKey, TValue}.AutoOffsetReset"/>).
/// </summary>
internal sealed partial class XinfraConsumer<TKey, TValue>
{
    private void OnConfigurationChanged(XinfraSnapshot snapshot)
    {
        if (_reading is not null
            && ((_deferredUntil is null && snapshot.Routes.TryGetValue(Topic, out var route) && route.ReadFrom != _reading) || TransportChanged()))
        {
            try
            {
                Volatile.Read(ref _routeChanged).Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The reader is switching already.
            }
        }
    }

    private async ValueTask<ITransportConsumer> EnsureConsumerAsync(CancellationToken cancellationToken)
    {
        var route = _configuration.Current.Route(Topic);
        var transportChanged = TransportChanged();
        if (_consumer is not null && !transportChanged && (route.ReadFrom == _reading || (_deferredUntil is { } until && _timeProvider.GetTimestamp() < until)))
        {
            if (route.ReadFrom == _reading)
            {
                _deferredUntil = null;
                _deferrals = 0;
            }

            if (_routeChanged.IsCancellationRequested)
            {
                // Woken for nothing to do (a change that keeps this epoch, or a deferral still running): re-arm.
                var remaining = _deferredUntil is { } deferred ? _timeProvider.GetElapsedTime(_timeProvider.GetTimestamp(), deferred) : Timeout.InfiniteTimeSpan;
                var fresh = remaining == Timeout.InfiniteTimeSpan ? new CancellationTokenSource() : new CancellationTokenSource(remaining, _timeProvider);
                Interlocked.Exchange(ref _routeChanged, fresh).Dispose();
            }

            return _consumer;
        }

        _deferredUntil = null;

        if (_consumer is not null)
        {
            if (transportChanged && route.ReadFrom == _reading)
            {
                Log.ConsumerTransportChanged(_logger, Topic, GroupId, _reading.Cluster);
            }
            else
            {
                Log.ReadEpochChanged(_logger, Topic, GroupId, _reading!.ToString(), route.ReadFrom.ToString());
            }

            await CloseConsumerAsync(cancellationToken).ConfigureAwait(false);
            var old = Interlocked.Exchange(ref _routeChanged, new CancellationTokenSource());
            old.Dispose();
        }

        if (route.AutoCreate)
        {
            await _transports.EnsureTopicAsync(_transports.Get(route.ReadFrom.Cluster), route.ReadFrom, cancellationToken).ConfigureAwait(false);
        }

        // During a migration the group's checkpoint says which records of this epoch it already has; a group new to
        // the epoch then starts at its beginning so that nothing past the cut is missed.
        var plan = await _cutover.PrepareAsync(route, GroupId, cancellationToken).ConfigureAwait(false);
        _deferralToCheck = plan.Deferred ? route : null;
        if (plan.Deferred)
        {
            // Read the source a while longer, then wake the reader to try the cutover again. Each consecutive deferral
            // doubles the wait (up to 32 intervals): on Kafka every rejoin restarts the group's rebalance, so a fixed
            // short interval can leave a large group no time to read at all — a livelock.
            _deferrals++;
            var wait = _options.CutoverRetryInterval * Math.Pow(2, Math.Min(_deferrals - 1, 5));
            _deferredUntil = _timeProvider.GetTimestamp() + (long)(wait.TotalSeconds * _timeProvider.TimestampFrequency);
            var old = Interlocked.Exchange(ref _routeChanged, new CancellationTokenSource(wait, _timeProvider));
            old.Dispose();
        }
        else
        {
            _deferrals = 0;
        }

        var physical = plan.Read;
        var transport = _transports.Get(physical.Cluster);
        _filter = plan.Filter;
        _reading = physical;
        _readingTransport = transport;
        _epoch = route.EpochOf(physical);
        _consumer = transport.CreateConsumer(new ConsumerSpec
        {
            GroupId = GroupId,
            Topics = [physical],
            AutoOffsetReset = _filter is not null ? AutoOffsetReset.Earliest : _options.AutoOffsetReset,
            ClientId = _configuration.Current.Options.ApplicationId,
            Listener = new Listener(this),
        });
        _lag.Attach(_consumer, physical.Cluster);
        return _consumer;
    }

    /// <summary>
    /// Once a deferred member's source consumer has joined (it read a record), and before it delivers from it: true
    /// when the group cut over to the target meanwhile, so the member must leave the source without delivering
    /// (<see cref="Migration.MigrationCutover.DeferralHoldsAsync"/>). Checked once per deferral.
    /// </summary>
    private async ValueTask<bool> DeferralOvertakenAsync(CancellationToken cancellationToken)
    {
        if (_deferralToCheck is not { } route)
        {
            return false;
        }

        _deferralToCheck = null;
        if (await _cutover.DeferralHoldsAsync(route, GroupId, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        Log.DeferralOvertaken(_logger, Topic, GroupId);
        await CloseConsumerAsync(cancellationToken).ConfigureAwait(false); // Nothing was delivered from it.
        _deferredUntil = null;
        return true;
    }

    /// <summary>
    /// True when the cluster being read got a new transport (its bootstrap endpoints, security or settings changed in
    /// the configuration): the member commits, leaves and rejoins the same group through the new transport, so a
    /// pushed bootstrap change reaches running consumers without a restart.
    /// </summary>
    private bool TransportChanged() =>
        _reading is { } reading && _readingTransport is { } transport && !_transports.IsCurrent(reading.Cluster, transport);

    private async ValueTask CloseConsumerAsync(CancellationToken cancellationToken)
    {
        if (_consumer is null)
        {
            return;
        }

        try
        {
            if (_options.CommitMode == CommitMode.AfterProcessing)
            {
                await CommitBeforeLeavingAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _lag.Detach();
            await _consumer.DisposeAsync().ConfigureAwait(false);
            _consumer = null;
            _readingTransport = null;
            _processed.Clear();
        }
    }
}
