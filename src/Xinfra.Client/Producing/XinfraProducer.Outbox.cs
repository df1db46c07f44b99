using Xinfra.Monitoring;
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
    private readonly Lock _turnLock = new();
    private Task _lastAppend = Task.CompletedTask;

    private async ValueTask<TransportReceipt[]> WritePrimaryAsync(TopicRoute route, OutgoingRecord record, CancellationToken cancellationToken)
    {
        var source = route.WriteTo[0];
        var target = route.WriteTo[1];
        var outbox = _outboxes.Open(Topic, _configuration, _transports);
        var reservation = outbox.Reserve(record, _configuration.Current.Options.Topics[Topic].OutboxMaxBytes);
        Task previous;
        var mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_turnLock)
        {
            previous = _lastAppend;
            _lastAppend = mine.Task;
        }

        var appended = false;
        try
        {
            TransportReceipt sourceCopy;
            try
            {
                sourceCopy = await WriteOneAsync(source, record, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw new ProduceException(
                    $"Topic '{Topic}' ({route.Phase}): dual write failed on the source cluster '{source.Cluster}'; nothing was written to '{target.Cluster}' or its outbox: {ex.Message}",
                    ex,
                    isTransient: ex is XinfraException { IsTransient: true })
                { Topic = Topic, Cluster = source.Cluster, Phase = route.Phase.ToString() };
            }

            await previous.ConfigureAwait(false);
            ValueTask durable;
            try
            {
                // The append itself is synchronous; only the fsync is awaited, after our turn is passed on.
                durable = outbox.AppendAsync(target, WithSourcePosition(record, sourceCopy.Position), reservation, CancellationToken.None);
                appended = true;
                mine.TrySetResult();
                await durable.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.DualWriteIncomplete(_logger, Topic, source.Cluster, target.Cluster, ex);
                throw new ProduceException(
                    $"Topic '{Topic}' ({route.Phase}): dual write incomplete: the record is durable on cluster '{source.Cluster}' at {sourceCopy.Position} but its copy for cluster '{target.Cluster}' could not be stored in the outbox '{outbox.Directory}': {ex.Message}",
                    ex)
                { Topic = Topic, Cluster = target.Cluster, Phase = route.Phase.ToString() };
            }

            return [sourceCopy];
        }
        finally
        {
            if (!appended)
            {
                outbox.Release(reservation);
                _ = PassTurnAfterAsync(previous, mine);
            }
        }
    }

    private static async Task PassTurnAfterAsync(Task previous, TaskCompletionSource mine)
    {
        await previous.ConfigureAwait(false);
        mine.TrySetResult();
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
}
