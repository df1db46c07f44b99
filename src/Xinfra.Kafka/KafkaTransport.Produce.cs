using System.Collections.Concurrent;
using Confluent.Kafka;
using Xinfra.Kafka.Internal;
using Xinfra.Kafka.Producing;
using Xinfra.Transport;

namespace Xinfra.Kafka;

/// <summary>The produce path: checks done once per topic, then straight into librdkafka's queue.</summary>
internal sealed partial class KafkaTransport
{
    private readonly ConcurrentDictionary<string, PhysicalTopic> _knownTopics = new(StringComparer.Ordinal);
    private object? _lastCallback;
    private SharedHandler? _sharedHandler;

    /// <inheritdoc />
    public ValueTask<TransportReceipt> ProduceAsync(PhysicalTopic topic, OutgoingRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(topic);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<TransportReceipt>(cancellationToken);
        }

        if (Volatile.Read(ref _disposed) != 0)
        {
            return ValueTask.FromException<TransportReceipt>(Closed(topic));
        }

        if (CheckSize(topic, record) is { } tooLarge)
        {
            return ValueTask.FromException<TransportReceipt>(tooLarge);
        }

        return _knownTopics.ContainsKey(topic.Name)
            ? Enqueue(topic, record, cancellationToken)
            : ProduceToNewTopicAsync(topic, record, cancellationToken);
    }

    /// <inheritdoc />
    public void Produce(PhysicalTopic topic, OutgoingRecord record, Action<TransportReceipt, XinfraException?> onDelivered)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(onDelivered);
        if (Volatile.Read(ref _disposed) != 0)
        {
            onDelivered(default, Closed(topic));
            return;
        }

        if (CheckSize(topic, record) is { } tooLarge)
        {
            onDelivered(default, tooLarge);
            return;
        }

        if (!_knownTopics.ContainsKey(topic.Name))
        {
            // Once per topic: a metadata lookup, so an unknown topic fails now instead of after the delivery timeout.
            if (VerifyTopicExists(topic) is { } unknown)
            {
                onDelivered(default, unknown);
                return;
            }
        }

        var message = KafkaRecordMapping.ToMessage(record);
        var operation = SelectHandler(topic, record, onDelivered, out var handler);
        while (true)
        {
            try
            {
                _producer.Produce(topic.Name, message, handler);
                return;
            }
            catch (ProduceException<byte[]?, byte[]?> exception) when (exception.Error.Code == ErrorCode.Local_QueueFull)
            {
                // Back-pressure: librdkafka's queue is full; wait for deliveries to drain it.
                Thread.Sleep(1);
            }
            catch (ProduceException<byte[]?, byte[]?> exception)
            {
                operation?.Abandon();
                onDelivered(default, KafkaErrors.ToException(exception.Error, topic.LogicalTopic, _context.ClusterName, KafkaOperation.Produce, exception));
                return;
            }
        }
    }

    /// <summary>
    /// Picks the librdkafka delivery handler for one record. A caller that passes the same callback for many records
    /// gets one shared handler (after the second record), so the path allocates nothing per record beyond
    /// Confluent.Kafka's own message; a caller that passes a new closure per record gets a pooled operation.
    /// </summary>
    private CallbackOperation? SelectHandler(
        PhysicalTopic topic, in OutgoingRecord record, Action<TransportReceipt, XinfraException?> onDelivered,
        out Action<Confluent.Kafka.DeliveryReport<byte[]?, byte[]?>> handler)
    {
        var cached = Volatile.Read(ref _sharedHandler);
        if (cached is not null && ReferenceEquals(cached.Callback, onDelivered))
        {
            handler = cached.Handler;
            return null;
        }

        if (ReferenceEquals(Volatile.Read(ref _lastCallback), onDelivered))
        {
            cached = new SharedHandler(onDelivered, CreateHandler(onDelivered));
            Volatile.Write(ref _sharedHandler, cached);
            handler = cached.Handler;
            return null;
        }

        Volatile.Write(ref _lastCallback, onDelivered);
        var operation = CallbackOperation.Rent(topic, _context.ClusterName, SentAt(record), onDelivered);
        handler = operation.OnDelivered;
        return operation;
    }

    /// <summary>A delivery handler shared by every record produced with <paramref name="onDelivered"/>; the logical topic of a delivery is found from its physical name.</summary>
    private Action<Confluent.Kafka.DeliveryReport<byte[]?, byte[]?>> CreateHandler(Action<TransportReceipt, XinfraException?> onDelivered) =>
        report =>
        {
            if (report.Error.IsError)
            {
                var logical = _knownTopics.TryGetValue(report.Topic, out var topic) ? topic.LogicalTopic : report.Topic;
                onDelivered(default, KafkaErrors.ToException(report.Error, logical, _context.ClusterName, KafkaOperation.Produce));
                return;
            }

            onDelivered(
                new TransportReceipt(
                    _context.ClusterName,
                    new Transport.TopicPartitionOffset(new Transport.TopicPartition(report.Topic, report.Partition.Value), report.Offset.Value),
                    KafkaRecordMapping.ReceiptTimestamp(report.Message.Timestamp, _context.TimeProvider.GetUtcNow())),
                null);
        };

    /// <inheritdoc />
    /// <remarks>
    /// After the transport was disposed (which flushed for up to the close timeout and reported what stayed undelivered)
    /// there is nothing left to flush: a producer disposed after its service provider must not fail on that.
    /// </remarks>
    public ValueTask FlushAsync(CancellationToken cancellationToken) =>
        Volatile.Read(ref _disposed) != 0
            ? ValueTask.CompletedTask
            : new(Task.Run(
                () =>
                {
                    try
                    {
                        _producer.Flush(cancellationToken);
                    }
                    catch (ObjectDisposedException) when (Volatile.Read(ref _disposed) != 0)
                    {
                        // Disposed while flushing: the dispose flushed.
                    }
                },
                cancellationToken));

    private ValueTask<TransportReceipt> Enqueue(PhysicalTopic topic, in OutgoingRecord record, CancellationToken cancellationToken)
    {
        var message = KafkaRecordMapping.ToMessage(record);
        var sent = SentAt(record);
        var operation = ProduceOperation.Rent(topic, _context.ClusterName, sent, cancellationToken);
        return TryEnqueue(topic, message, operation)
            ? operation.Task
            : EnqueueWhenRoomAsync(topic, message, sent, cancellationToken);
    }

    /// <summary>Hands the record to librdkafka; false (and the operation abandoned) when its queue is full.</summary>
    private bool TryEnqueue(PhysicalTopic topic, Message<byte[]?, byte[]?> message, ProduceOperation operation)
    {
        try
        {
            _producer.Produce(topic.Name, message, operation.OnDelivered);
        }
        catch (ProduceException<byte[]?, byte[]?> exception) when (exception.Error.Code == ErrorCode.Local_QueueFull)
        {
            operation.Abandon();
            return false;
        }
        catch (ProduceException<byte[]?, byte[]?> exception)
        {
            operation.Fail(KafkaErrors.ToException(exception.Error, topic.LogicalTopic, _context.ClusterName, KafkaOperation.Produce, exception));
        }

        return true;
    }

    private async ValueTask<TransportReceipt> EnqueueWhenRoomAsync(PhysicalTopic topic, Message<byte[]?, byte[]?> message, DateTimeOffset sent, CancellationToken cancellationToken)
    {
        // Back-pressure: librdkafka's queue is full; wait for deliveries to drain it.
        while (true)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(1), _context.TimeProvider, cancellationToken).ConfigureAwait(false);
            var operation = ProduceOperation.Rent(topic, _context.ClusterName, sent, cancellationToken);
            if (TryEnqueue(topic, message, operation))
            {
                return await operation.Task.ConfigureAwait(false);
            }
        }
    }

    private async ValueTask<TransportReceipt> ProduceToNewTopicAsync(PhysicalTopic topic, OutgoingRecord record, CancellationToken cancellationToken)
    {
        var unknown = await Task.Run(() => VerifyTopicExists(topic), cancellationToken).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (unknown is not null)
        {
            throw unknown;
        }

        return await Enqueue(topic, record, cancellationToken).ConfigureAwait(false);
    }

    private DateTimeOffset SentAt(in OutgoingRecord record) =>
        record.Timestamp == default ? _context.TimeProvider.GetUtcNow() : record.Timestamp;

    private XinfraException? VerifyTopicExists(PhysicalTopic topic)
    {
        try
        {
            var metadata = _admin.Value.GetMetadata(topic.Name, _options.RequestTimeout);
            var found = metadata.Topics.Find(t => string.Equals(t.Topic, topic.Name, StringComparison.Ordinal));
            if (found is null || found.Error.Code == ErrorCode.UnknownTopicOrPart || found.Partitions.Count == 0)
            {
                return UnknownTopic(topic);
            }

            if (found.Error.IsError)
            {
                return KafkaErrors.ToException(found.Error, topic.LogicalTopic, _context.ClusterName, KafkaOperation.Produce);
            }

            _knownTopics.TryAdd(topic.Name, topic);
            return null;
        }
        catch (KafkaException exception)
        {
            return KafkaErrors.ToException(exception, topic.LogicalTopic, _context.ClusterName, KafkaOperation.Produce);
        }
    }

    private UnknownTopicException UnknownTopic(PhysicalTopic topic) =>
        new($"Kafka topic '{topic.Name}' (logical topic '{topic.LogicalTopic}') does not exist on cluster '{_context.ClusterName}'")
        {
            Topic = topic.LogicalTopic,
            Cluster = _context.ClusterName,
        };

    private RecordTooLargeException? CheckSize(PhysicalTopic topic, in OutgoingRecord record)
    {
        var limit = _context.Cluster.MaxRecordBytes;
        var size = record.Headers is null ? (record.Key?.Length ?? 0) + (record.Value?.Length ?? 0) : record.SizeInBytes;
        return size <= limit
            ? null
            : new RecordTooLargeException(
                $"a record of {size} bytes for topic '{topic.LogicalTopic}' exceeds the {limit}-byte limit of cluster '{_context.ClusterName}'",
                size, limit)
            {
                Topic = topic.LogicalTopic,
                Cluster = _context.ClusterName,
            };
    }

    private ProduceException Closed(PhysicalTopic topic) =>
        new($"the Kafka transport of cluster '{_context.ClusterName}' is closed; cannot produce to '{topic.LogicalTopic}'", null)
        {
            Topic = topic.LogicalTopic,
            Cluster = _context.ClusterName,
        };

    /// <summary>A caller callback and the librdkafka handler shared by its records.</summary>
    private sealed record SharedHandler(
        Action<TransportReceipt, XinfraException?> Callback,
        Action<Confluent.Kafka.DeliveryReport<byte[]?, byte[]?>> Handler);
}
