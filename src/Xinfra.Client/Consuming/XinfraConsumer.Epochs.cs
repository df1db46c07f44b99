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
        if (_reading is not null && snapshot.Routes.TryGetValue(Topic, out var route) && route.ReadFrom != _reading)
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
        if (_consumer is not null && route.ReadFrom == _reading)
        {
            return _consumer;
        }

        if (_consumer is not null)
        {
            Log.ReadEpochChanged(_logger, Topic, GroupId, _reading!.ToString(), route.ReadFrom.ToString());
            await CloseConsumerAsync(cancellationToken).ConfigureAwait(false);
            var old = Interlocked.Exchange(ref _routeChanged, new CancellationTokenSource());
            old.Dispose();
        }

        var physical = route.ReadFrom;
        var transport = _transports.Get(physical.Cluster);
        if (route.AutoCreate)
        {
            await _transports.EnsureTopicAsync(transport, physical, cancellationToken).ConfigureAwait(false);
        }

        // During a migration the group's checkpoint says which records of this epoch it already has; a group new to
        // the epoch then starts at its beginning so that nothing past the cut is missed.
        _filter = await _cutover.PrepareAsync(route, GroupId, cancellationToken).ConfigureAwait(false);
        _reading = physical;
        _epoch = route.EpochOf(physical);
        _consumer = transport.CreateConsumer(new ConsumerSpec
        {
            GroupId = GroupId,
            Topics = [physical],
            AutoOffsetReset = _filter is not null ? AutoOffsetReset.Earliest : _options.AutoOffsetReset,
            ClientId = _configuration.Current.Options.ApplicationId,
            Listener = new Listener(this),
        });
        return _consumer;
    }

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
            await _consumer.DisposeAsync().ConfigureAwait(false);
            _consumer = null;
            _processed.Clear();
        }
    }
}
