using System.Collections.Concurrent;
using System.Threading.Tasks.Sources;
using Xinfra.Kafka.Internal;
using Xinfra.Transport;

namespace Xinfra.Kafka.Producing;

/// <summary>
/// One in-flight <see cref="KafkaTransport.ProduceAsync"/>: a pooled <see cref="IValueTaskSource{TResult}"/> completed by
/// librdkafka's delivery report, so awaiting a produce allocates no task. Uncancellable produces return the operation
/// to the pool when awaited; cancellable ones are not pooled (the delivery report may come after the caller left).
/// </summary>
internal sealed class ProduceOperation : IValueTaskSource<TransportReceipt>
{
    private const int MaxPooled = 4096;
    private static readonly ConcurrentQueue<ProduceOperation> Pool = new();
    private static int _pooled;

    private ManualResetValueTaskSourceCore<TransportReceipt> _core;
    private PhysicalTopic? _topic;
    private string _cluster = string.Empty;
    private DateTimeOffset _sent;
    private bool _pooledAfterUse;
    private int _completed;
    private CancellationTokenRegistration _cancellation;

    private ProduceOperation()
    {
        _core.RunContinuationsAsynchronously = true;
        OnDelivered = Deliver;
    }

    /// <summary>The delivery handler handed to librdkafka, allocated once per pooled operation.</summary>
    public Action<Confluent.Kafka.DeliveryReport<byte[]?, byte[]?>> OnDelivered { get; }

    /// <summary>The awaitable of this operation.</summary>
    public ValueTask<TransportReceipt> Task => new(this, _core.Version);

    public static ProduceOperation Rent(PhysicalTopic topic, string cluster, DateTimeOffset sent, CancellationToken cancellationToken)
    {
        ProduceOperation? operation = null;
        if (!cancellationToken.CanBeCanceled && Pool.TryDequeue(out operation))
        {
            Interlocked.Decrement(ref _pooled);
        }

        operation ??= new ProduceOperation();
        operation._topic = topic;
        operation._cluster = cluster;
        operation._sent = sent;
        operation._completed = 0;
        operation._pooledAfterUse = !cancellationToken.CanBeCanceled;
        if (cancellationToken.CanBeCanceled)
        {
            operation._cancellation = cancellationToken.UnsafeRegister(
                static (state, token) => ((ProduceOperation)state!).Fail(new OperationCanceledException(token)),
                operation);
        }

        return operation;
    }

    /// <summary>Completes with an error raised before librdkafka took the record.</summary>
    public void Fail(Exception exception)
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            _core.SetException(exception);
        }
    }

    /// <summary>Gives the operation back unused (librdkafka did not take the record).</summary>
    public void Abandon() => Return();

    /// <inheritdoc />
    public TransportReceipt GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            Return();
        }
    }

    /// <inheritdoc />
    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    /// <inheritdoc />
    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private void Deliver(Confluent.Kafka.DeliveryReport<byte[]?, byte[]?> report)
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return;
        }

        if (report.Error.IsError)
        {
            _core.SetException(KafkaErrors.ToException(report.Error, _topic!.LogicalTopic, _cluster, KafkaOperation.Produce));
            return;
        }

        _core.SetResult(new TransportReceipt(
            _cluster,
            new Transport.TopicPartitionOffset(new Transport.TopicPartition(report.Topic, report.Partition.Value), report.Offset.Value),
            KafkaRecordMapping.ReceiptTimestamp(report.Message.Timestamp, _sent)));
    }

    private void Return()
    {
        _cancellation.Dispose();
        _cancellation = default;
        _topic = null;
        if (!_pooledAfterUse || Interlocked.Increment(ref _pooled) > MaxPooled)
        {
            if (_pooledAfterUse)
            {
                Interlocked.Decrement(ref _pooled);
            }

            return;
        }

        _core.Reset();
        Pool.Enqueue(this);
    }
}
