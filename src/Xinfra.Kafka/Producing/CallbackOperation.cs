using System.Collections.Concurrent;
using Xinfra.Kafka.Internal;
using Xinfra.Transport;

namespace Xinfra.Kafka.Producing;

/// <summary>
/// One in-flight <see cref="KafkaTransport.Produce"/>: a pooled holder of the caller's callback whose delivery handler
/// is allocated once, so the callback path allocates nothing per record beyond what Confluent.Kafka itself does.
/// </summary>
internal sealed class CallbackOperation
{
    private const int MaxPooled = 4096;
    private static readonly ConcurrentQueue<CallbackOperation> Pool = new();
    private static int _pooled;

    private Action<TransportReceipt, XinfraException?>? _onDelivered;
    private PhysicalTopic? _topic;
    private string _cluster = string.Empty;
    private DateTimeOffset _sent;

    private CallbackOperation() => OnDelivered = Deliver;

    /// <summary>The delivery handler handed to librdkafka.</summary>
    public Action<Confluent.Kafka.DeliveryReport<byte[]?, byte[]?>> OnDelivered { get; }

    public static CallbackOperation Rent(PhysicalTopic topic, string cluster, DateTimeOffset sent, Action<TransportReceipt, XinfraException?> onDelivered)
    {
        if (Pool.TryDequeue(out var operation))
        {
            Interlocked.Decrement(ref _pooled);
        }
        else
        {
            operation = new CallbackOperation();
        }

        operation._topic = topic;
        operation._cluster = cluster;
        operation._sent = sent;
        operation._onDelivered = onDelivered;
        return operation;
    }

    /// <summary>Gives the operation back unused (librdkafka did not take the record).</summary>
    public void Abandon() => Return();

    private void Deliver(Confluent.Kafka.DeliveryReport<byte[]?, byte[]?> report)
    {
        var onDelivered = _onDelivered!;
        var topic = _topic!;
        var cluster = _cluster;
        var sent = _sent;
        Return();
        if (report.Error.IsError)
        {
            onDelivered(default, KafkaErrors.ToException(report.Error, topic.LogicalTopic, cluster, KafkaOperation.Produce));
            return;
        }

        onDelivered(
            new TransportReceipt(
                cluster,
                new Transport.TopicPartitionOffset(new Transport.TopicPartition(report.Topic, report.Partition.Value), report.Offset.Value),
                KafkaRecordMapping.ReceiptTimestamp(report.Message.Timestamp, sent)),
            null);
    }

    private void Return()
    {
        _onDelivered = null;
        _topic = null;
        if (Interlocked.Increment(ref _pooled) > MaxPooled)
        {
            Interlocked.Decrement(ref _pooled);
            return;
        }

        Pool.Enqueue(this);
    }
}
