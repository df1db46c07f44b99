using Xinfra.Internal;
using Xinfra.Monitoring;
using Xinfra.Routing;
using Xinfra.Transport;

namespace Xinfra.Producing;

/// <summary>
/// The fire-and-forget path. A single-cluster record to a topic that is known to exist goes straight to the
/// transport's callback path; anything else (first use, dual write) runs the awaited path in the background. Flush
/// waits for both.
/// </summary>
internal sealed partial class XinfraProducer<TKey, TValue>
{
    private readonly HashSet<PhysicalTopic> _ready = [];
    private readonly PendingOperations _pending = new();

    public void Produce(XinfraMessage<TKey, TValue> message, Action<DeliveryReport>? onDelivered = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var route = _configuration.Current.Route(Topic);
        var (record, messageId) = BuildRecord(message, route);
        bool ready;
        lock (_ready)
        {
            ready = route.WriteTo.Count == 1 && _ready.Contains(route.WriteTo[0]) && !HasOutboxBacklog(route);
        }

        _pending.Started();
        if (ready)
        {
            var physical = route.WriteTo[0];
            var transport = _transports.Get(physical.Cluster);
            lock (_used)
            {
                _used.Add(transport);
            }

            transport.Produce(physical, record, (receipt, error) =>
            {
                var tags = ClientMetrics.Tags(Topic, physical.Cluster);
                if (error is null)
                {
                    ClientMetrics.ProducedRecords.Add(1, tags);
                    ClientMetrics.ProducedBytes.Add(record.SizeInBytes, tags);
                }
                else
                {
                    tags.Add("error", error.GetType().Name);
                    ClientMetrics.ProduceErrors.Add(1, tags);
                }

                Complete(onDelivered, error is null ? new DeliveryReport(new DeliveryReceipt(Topic, route.Phase, messageId, [receipt]), null) : new DeliveryReport(null, error));
            });
            return;
        }

        _ = ProduceInBackgroundAsync(route, record, messageId, onDelivered);
    }

    private async Task ProduceInBackgroundAsync(TopicRoute route, OutgoingRecord record, string messageId, Action<DeliveryReport>? onDelivered)
    {
        DeliveryReport report;
        try
        {
            var receipt = await SendAsync(route, record, messageId, CancellationToken.None).ConfigureAwait(false);
            report = new DeliveryReport(receipt, null);
        }
        catch (XinfraException ex)
        {
            report = new DeliveryReport(null, ex);
        }
        catch (Exception ex)
        {
            report = new DeliveryReport(null, new ProduceException($"Topic '{Topic}': produce failed: {ex.Message}", ex) { Topic = Topic });
        }

        Complete(onDelivered, report);
    }

    private void Complete(Action<DeliveryReport>? onDelivered, DeliveryReport report)
    {
        try
        {
            onDelivered?.Invoke(report);
        }
        finally
        {
            _pending.Finished();
        }
    }
}
