using Xinfra.Monitoring;
using Xinfra.Producing.Outbox;
using Xinfra.Routing;
using Xinfra.Transport;

namespace Xinfra.Producing;

/// <summary>
/// Dual write with <c>DualWriteAck: Primary</c>: the source copy is written to the cluster and the target copy (with
/// the source coordinates) to the topic's durable outbox; the produce completes when both are durable. The source is
/// the primary in both dual-write phases because the target copy must carry the source copy's coordinates for the
/// exact cutover. Outbox appends follow the order in which this producer issued the source writes, so the target gets
/// each key's records in source order. Direct writes to the target (TargetOnly, or Both after Primary) wait until the
/// outbox is drained, so they cannot overtake an older copy.
/// </summary>
internal sealed partial class XinfraProducer<TKey, TValue>
{
    private static readonly TimeSpan OutboxDrainTimeout = TimeSpan.FromSeconds(30);
    private readonly Lock _orderLock = new();
    private readonly Dictionary<long, OutboxSlot> _slots = [];
    private long _nextTicket;
    private long _nextToAppend;

    private async ValueTask<TransportReceipt[]> WritePrimaryAsync(TopicRoute route, OutgoingRecord record, CancellationToken cancellationToken)
    {
        var source = route.WriteTo[0];
        var target = route.WriteTo[1];
        var outbox = _outboxes.Open(Topic, _configuration, _transports);
        var reservation = outbox.Reserve(record, _configuration.Current.Options.Topics[Topic].OutboxMaxBytes);
        var slot = new OutboxSlot(outbox, reservation);
        lock (_orderLock)
        {
            // The ticket is taken in the order the source writes are issued; copies are appended in ticket order.
            slot.Ticket = _nextTicket++;
            _slots.Add(slot.Ticket, slot);
        }

        TransportReceipt sourceCopy;
        try
        {
            sourceCopy = await WriteOneAsync(source, record, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Fill(slot, null);
            if (ex is OperationCanceledException)
            {
                throw;
            }

            throw new ProduceException(
                $"Topic '{Topic}' ({route.Phase}): dual write failed on the source cluster '{source.Cluster}'; nothing was written to '{target.Cluster}' or its outbox: {ex.Message}",
                ex,
                isTransient: ex is XinfraException { IsTransient: true })
            { Topic = Topic, Cluster = source.Cluster, Phase = route.Phase.ToString() };
        }

        try
        {
            Fill(slot, OutboxFrame.Encode(target, WithSourcePosition(record, sourceCopy.Position)));
            var sequence = await slot.Appended.Task.ConfigureAwait(false);
            await outbox.SyncAsync(sequence, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.DualWriteIncomplete(_logger, Topic, source.Cluster, target.Cluster, ex);
            throw new ProduceException(
                $"Topic '{Topic}' ({route.Phase}): dual write incomplete: the record is durable on cluster '{source.Cluster}' at {sourceCopy.Position} but its copy for cluster '{target.Cluster}' could not be stored in the outbox '{outbox.Directory}': {ex.Message}",
                ex)
            { Topic = Topic, Cluster = target.Cluster, Phase = route.Phase.ToString() };
        }

        return [sourceCopy];
    }

    /// <summary>
    /// Records a slot's outcome (its frame, or null when the source write failed) and appends every ready slot at the
    /// head of the ticket order: whichever write completes last appends the run, so no completion waits for another.
    /// </summary>
    private void Fill(OutboxSlot slot, byte[]? frame)
    {
        lock (_orderLock)
        {
            slot.Frame = frame;
            slot.Ready = true;
            while (_slots.TryGetValue(_nextToAppend, out var head) && head.Ready)
            {
                _slots.Remove(_nextToAppend);
                _nextToAppend++;
                if (head.Frame is null)
                {
                    head.Outbox.Release(head.Reservation);
                    head.Appended.TrySetCanceled();
                    continue;
                }

                try
                {
                    head.Appended.TrySetResult(head.Outbox.Append(head.Frame, head.Reservation));
                }
                catch (Exception ex)
                {
                    head.Outbox.Release(head.Reservation);
                    head.Appended.TrySetException(ex);
                }
            }
        }
    }

    private bool HasOutboxBacklog(TopicRoute route) =>
        route.Target is { } target && route.WriteTo.Contains(target) && _outboxes.Depth(Topic) > 0;

    /// <summary>Before writing the target directly: let the outbox's older copies land first.</summary>
    private async ValueTask WaitForOutboxAsync(TopicRoute route, CancellationToken cancellationToken)
    {
        if (!HasOutboxBacklog(route) || _outboxes.Find(Topic) is not { } outbox)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(OutboxDrainTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            await outbox.WaitDrainedAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ProduceException(
                $"Topic '{Topic}' ({route.Phase}): the dual-write outbox '{outbox.Directory}' still holds {outbox.Depth} older records for cluster '{route.Target!.Cluster}' after {OutboxDrainTimeout.TotalSeconds:F0} s; a direct write would overtake them. Nothing was written.",
                null,
                isTransient: true)
            { Topic = Topic, Cluster = route.Target!.Cluster, Phase = route.Phase.ToString() };
        }
    }

    private sealed class OutboxSlot(DualWriteOutbox outbox, long reservation)
    {
        public DualWriteOutbox Outbox { get; } = outbox;

        public long Reservation { get; } = reservation;

        public long Ticket { get; set; }

        public byte[]? Frame { get; set; }

        public bool Ready { get; set; }

        public TaskCompletionSource<long> Appended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
