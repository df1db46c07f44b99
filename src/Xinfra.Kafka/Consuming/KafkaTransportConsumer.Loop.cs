using System.Collections.Concurrent;
using Confluent.Kafka;
using Xinfra.Kafka.Consuming;
using Xinfra.Kafka.Internal;
using KafkaTopicPartition = Confluent.Kafka.TopicPartition;
using KafkaTopicPartitionOffset = Confluent.Kafka.TopicPartitionOffset;
using TopicPartition = Xinfra.Transport.TopicPartition;

namespace Xinfra.Kafka;

/// <summary>The fetch loop: a dedicated thread that polls librdkafka, runs its rebalance callbacks and fills the channel.</summary>
internal sealed partial class KafkaTransportConsumer
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<ConsumerCommand> _commands = new();

    // Loop-owned: how many seeks each partition has had, stamped on its records.
    private readonly Dictionary<TopicPartition, int> _loopEpochs = [];
    private Thread? _thread;
    private volatile bool _closing;

    private void EnsureStarted()
    {
        if (_thread is not null)
        {
            return;
        }

        _thread = new Thread(Run)
        {
            IsBackground = true,
            Name = $"xinfra-kafka-consumer-{_spec.GroupId}",
        };
        _thread.Start();
    }

    private void Run()
    {
        try
        {
            var names = new List<string>(_topics.Keys);
            _consumer.Subscribe(names);
            while (!_stop.IsCancellationRequested)
            {
                RunCommands();
                Confluent.Kafka.ConsumeResult<ReadOnlyMemory<byte>?, ReadOnlyMemory<byte>?>? result;
                try
                {
                    result = _consumer.Consume(PollInterval);
                }
                catch (Confluent.Kafka.ConsumeException exception)
                {
                    var topic = exception.ConsumerRecord?.Topic;
                    Post(new ConsumerItem(null, 0, null, KafkaErrors.ToException(
                        exception.Error, topic is null ? _spec.Topics[0].LogicalTopic : LogicalTopic(topic), _context.ClusterName,
                        KafkaOperation.Consume, exception)));
                    if (exception.Error.IsFatal)
                    {
                        break;
                    }

                    continue;
                }

                if (result is null || result.IsPartitionEOF)
                {
                    continue;
                }

                var record = KafkaRecordMapping.ToIncoming(_context.ClusterName, result, _spec.Topics[0].Name);
                var epoch = _loopEpochs.Count == 0 ? 0 : _loopEpochs.GetValueOrDefault(record.Position.TopicPartition);
                Post(new ConsumerItem(record, epoch, null, null));
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
        catch (KafkaException exception)
        {
            _channel.Writer.TryComplete(KafkaErrors.ToException(exception, _spec.Topics[0].LogicalTopic, _context.ClusterName, KafkaOperation.Consume));
        }
#pragma warning disable CA1031 // A dedicated thread must not die with an unhandled exception: the reader gets it instead.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            _channel.Writer.TryComplete(new ConsumeException(
                $"the Kafka consumer of group '{_spec.GroupId}' on cluster '{_context.ClusterName}' failed: {exception.Message}", exception)
            {
                Topic = _spec.Topics[0].LogicalTopic,
                Cluster = _context.ClusterName,
            });
        }
        finally
        {
            _closing = true;
            try
            {
                _consumer.Close();
            }
            catch (KafkaException)
            {
                // Leaving the group is best effort; the session timeout expels the member anyway.
            }

            _consumer.Dispose();
            _channel.Writer.TryComplete();
            _stopped.TrySetResult();
        }
    }

    /// <summary>Hands an item to the reader, waiting while the channel is full. Throws when stopping.</summary>
    private void Post(ConsumerItem item)
    {
        while (!_channel.Writer.TryWrite(item))
        {
            if (!_channel.Writer.WaitToWriteAsync(_stop.Token).AsTask().GetAwaiter().GetResult())
            {
                throw new OperationCanceledException();
            }
        }
    }

    private void RunCommands()
    {
        while (_commands.TryDequeue(out var command))
        {
            try
            {
                switch (command.Kind)
                {
                    case ConsumerCommandKind.Seek:
                        var partition = command.Position.TopicPartition;
                        _loopEpochs[partition] = _loopEpochs.GetValueOrDefault(partition) + 1;
                        _consumer.Seek(KafkaRecordMapping.ToKafka(command.Position));
                        break;
                    case ConsumerCommandKind.Pause:
                        _consumer.Pause(ToKafka(command.Partitions!));
                        break;
                    case ConsumerCommandKind.Resume:
                        _consumer.Resume(ToKafka(command.Partitions!));
                        break;
                }
            }
            catch (KafkaException exception)
            {
                Post(new ConsumerItem(null, 0, null, KafkaErrors.ToException(
                    exception, LogicalTopic(command.Position.Topic ?? command.Partitions?[0].Topic ?? string.Empty),
                    _context.ClusterName, KafkaOperation.Consume)));
            }
        }
    }

    private IEnumerable<KafkaTopicPartitionOffset> OnAssigned(IConsumer<ReadOnlyMemory<byte>?, ReadOnlyMemory<byte>?> consumer, List<KafkaTopicPartition> partitions)
    {
        var assigned = partitions.ConvertAll(KafkaRecordMapping.ToXinfra);
        KafkaLog.Assigned(_logger, _context.ClusterName, _spec.GroupId, string.Join(",", assigned));
        var rebalance = new RebalanceEvent(RebalanceKind.Assigned, assigned);
        if (!_closing && TryPost(rebalance) && _spec.Listener is not null)
        {
            rebalance.Wait(_stop.Token);
        }

        var result = new List<KafkaTopicPartitionOffset>(partitions.Count);
        for (var i = 0; i < partitions.Count; i++)
        {
            var offset = rebalance.Seeks.TryGetValue(assigned[i], out var start) ? new Offset(start) : Offset.Unset;
            result.Add(new KafkaTopicPartitionOffset(partitions[i], offset));
        }

        return result;
    }

    private void OnRevoked(List<KafkaTopicPartitionOffset> partitions, bool lost)
    {
        var revoked = partitions.ConvertAll(p => KafkaRecordMapping.ToXinfra(p.TopicPartition));
        KafkaLog.Revoked(_logger, _context.ClusterName, _spec.GroupId, string.Join(",", revoked), lost);
        if (_closing)
        {
            return;
        }

        var rebalance = new RebalanceEvent(lost ? RebalanceKind.Lost : RebalanceKind.Revoked, revoked);
        if (TryPost(rebalance) && _spec.Listener is not null)
        {
            rebalance.Wait(_stop.Token);
        }
    }

    private bool TryPost(RebalanceEvent rebalance)
    {
        try
        {
            Post(new ConsumerItem(null, 0, rebalance, null));
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private void OnError(Error error)
    {
        if (error.IsFatal)
        {
            KafkaLog.FatalError(_logger, _context.ClusterName, "consumer", error.Code.ToString(), error.Reason);
        }
        else
        {
            KafkaLog.ClientError(_logger, _context.ClusterName, "consumer", error.Code.ToString(), error.Reason);
        }

        // Authentication failures do not heal by themselves: tell the reader instead of leaving it waiting.
        if (error.IsFatal || error.Code is ErrorCode.Local_Authentication or ErrorCode.SaslAuthenticationFailed
            or ErrorCode.TopicAuthorizationFailed or ErrorCode.GroupAuthorizationFailed)
        {
            try
            {
                Post(new ConsumerItem(null, 0, null, KafkaErrors.ToException(error, _spec.Topics[0].LogicalTopic, _context.ClusterName, KafkaOperation.Consume)));
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
        }
    }

    private static List<KafkaTopicPartition> ToKafka(IReadOnlyList<TopicPartition> partitions)
    {
        var result = new List<KafkaTopicPartition>(partitions.Count);
        foreach (var partition in partitions)
        {
            result.Add(KafkaRecordMapping.ToKafka(partition));
        }

        return result;
    }
}
