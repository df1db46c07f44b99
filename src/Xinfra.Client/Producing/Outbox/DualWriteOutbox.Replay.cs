using Polly;
using Xinfra.Monitoring;
using Xinfra.Transport;

namespace Xinfra.Producing.Outbox;

/// <summary>The replayer: sends the outbox to the target in order, a window at a time, re-sending failed entries in order.</summary>
internal sealed partial class DualWriteOutbox
{
    private async Task ReplayAsync(CancellationToken stop)
    {
        var window = new Queue<InFlight>();
        while (!stop.IsCancellationRequested)
        {
            var version = _appended.Version;
            try
            {
                // No new send once one failed: a send issued after a failure could land before the failed one's re-send.
                while (window.Count < Window && !Volatile.Read(ref _windowFailed) && _log.TryReadNext(out var payload, out var frameLength))
                {
                    var (target, record) = OutboxFrame.Decode(Topic, payload);
                    window.Enqueue(new InFlight(target, record, frameLength, SendOnceAsync(target, record, stop)));
                }
            }
            catch (InvalidDataException ex)
            {
                // Cannot happen to frames this process wrote (recovery checked the older ones); stop rather than skip.
                Log.OutboxReplayStopped(_logger, Topic, Directory, ex);
                return;
            }

            if (window.Count == 0)
            {
                await _appended.WaitAsync(version, stop).ConfigureAwait(false);
                continue;
            }

            var head = window.Peek();
            if (await head.Send.ConfigureAwait(false) is null)
            {
                window.Dequeue();
                Acknowledge(head);
                continue;
            }

            // The head failed. A transport keeps a partition's in-flight records in order, and fails the later ones of
            // that partition when an earlier one fails, so everything still in the window either landed (another
            // partition) or failed too. Let the window settle, then re-send only the failed entries, in order, each
            // retried until the target takes it: no reorder within a partition, no duplicate.
            while (window.Count > 0)
            {
                var entry = window.Dequeue();
                if (await entry.Send.ConfigureAwait(false) is not null)
                {
                    await SendWithRetryAsync(entry.Target, entry.Record, stop).ConfigureAwait(false);
                }

                Acknowledge(entry);
            }

            Volatile.Write(ref _windowFailed, false);
        }
    }

    private void Acknowledge(InFlight entry)
    {
        var tags = ClientMetrics.Tags(Topic, entry.Target.Cluster);
        ClientMetrics.ProducedRecords.Add(1, tags);
        ClientMetrics.ProducedBytes.Add(entry.Record.SizeInBytes, tags);
        _log.Ack(entry.FrameLength);
        _acked.Pulse();
    }

    /// <summary>One attempt; the error (null on success) instead of an exception, so the window can settle.</summary>
    private async Task<Exception?> SendOnceAsync(PhysicalTopic target, OutgoingRecord record, CancellationToken stop)
    {
        try
        {
            await SendAsync(target, record, stop).ConfigureAwait(false);
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stop.IsCancellationRequested)
        {
            Volatile.Write(ref _windowFailed, true);
            return ex;
        }
    }

    private async Task SendWithRetryAsync(PhysicalTopic target, OutgoingRecord record, CancellationToken stop)
    {
        var context = ResilienceContextPool.Shared.Get(target.Cluster, stop);
        try
        {
            await _retry.ExecuteAsync(
                static (ctx, state) => state.Self.SendAsync(state.target, state.record, ctx.CancellationToken),
                context,
                (Self: this, target, record)).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private async ValueTask SendAsync(PhysicalTopic target, OutgoingRecord record, CancellationToken cancellationToken)
    {
        var transport = _transports.Get(target.Cluster);
        if (_configuration.Current.Routes.TryGetValue(Topic, out var route) && route.AutoCreate)
        {
            await _transports.EnsureTopicAsync(transport, target, cancellationToken).ConfigureAwait(false);
        }

        await transport.ProduceAsync(target, record, cancellationToken).ConfigureAwait(false);
    }

    private sealed record InFlight(PhysicalTopic Target, OutgoingRecord Record, int FrameLength, Task<Exception?> Send);
}
