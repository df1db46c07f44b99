using Confluent.Kafka;
using Xinfra.Kafka.Consuming;
using Xinfra.Kafka.Internal;
using KafkaTopicPartitionOffset = Confluent.Kafka.TopicPartitionOffset;
using TopicPartition = Xinfra.Transport.TopicPartition;
using TopicPartitionOffset = Xinfra.Transport.TopicPartitionOffset;
using WatermarkOffsets = Xinfra.Transport.WatermarkOffsets;

namespace Xinfra.Kafka;

/// <summary>Positions: commit, committed offsets, seek (also by time), watermarks, pause and resume.</summary>
internal sealed partial class KafkaTransportConsumer
{
    /// <inheritdoc />
    public async ValueTask CommitAsync(IReadOnlyList<TopicPartitionOffset> positions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(positions);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (positions.Count == 0)
        {
            return;
        }

        var offsets = new List<KafkaTopicPartitionOffset>(positions.Count);
        foreach (var position in positions)
        {
            offsets.Add(KafkaRecordMapping.ToKafka(position));
        }

        await Run(positions[0].Topic, () => _consumer.Commit(offsets), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<TopicPartitionOffset>> GetCommittedAsync(IReadOnlyList<TopicPartition> partitions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (partitions.Count == 0)
        {
            return [];
        }

        var kafkaPartitions = partitions.Select(KafkaRecordMapping.ToKafka).ToList();
        var committed = await Run(partitions[0].Topic, () => _consumer.Committed(kafkaPartitions, _options.RequestTimeout), cancellationToken)
            .ConfigureAwait(false);
        return committed.ConvertAll(c => new TopicPartitionOffset(KafkaRecordMapping.ToXinfra(c.TopicPartition), c.Offset.Value < 0 ? -1 : c.Offset.Value));
    }

    /// <inheritdoc />
    public void Seek(TopicPartitionOffset position)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var partition = position.TopicPartition;
        if (_assigning is { } assigning && Contains(assigning.Partitions, partition))
        {
            assigning.Seeks[partition] = position.Offset; // becomes the start position of the new assignment
            return;
        }

        if (!_assignment.Contains(partition))
        {
            throw new ConsumeException($"cannot seek {partition} on cluster '{_context.ClusterName}': the partition is not assigned to this member")
            {
                Topic = LogicalTopic(partition.Topic),
                Cluster = _context.ClusterName,
            };
        }

        _expectedEpochs[partition] = _expectedEpochs.GetValueOrDefault(partition) + 1;
        _held.Remove(partition);
        DropReady([partition]);
        _commands.Enqueue(new ConsumerCommand(ConsumerCommandKind.Seek, position, null));
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<TopicPartitionOffset>> OffsetsForTimeAsync(
        IReadOnlyList<TopicPartition> partitions, DateTimeOffset timestamp, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (partitions.Count == 0)
        {
            return [];
        }

        var query = partitions.Select(p => new TopicPartitionTimestamp(KafkaRecordMapping.ToKafka(p), new Timestamp(timestamp))).ToList();
        var found = await Run(partitions[0].Topic, () => _consumer.OffsetsForTimes(query, _options.RequestTimeout), cancellationToken)
            .ConfigureAwait(false);
        var result = new List<TopicPartitionOffset>(found.Count);
        foreach (var offset in found)
        {
            var partition = KafkaRecordMapping.ToXinfra(offset.TopicPartition);
            var value = offset.Offset.Value;
            if (value < 0)
            {
                // No record at or after the timestamp: the position after the last record.
                value = (await GetWatermarksAsync(partition, cancellationToken).ConfigureAwait(false)).High;
            }

            result.Add(new TopicPartitionOffset(partition, value));
        }

        return result;
    }

    /// <inheritdoc />
    public async ValueTask<WatermarkOffsets> GetWatermarksAsync(TopicPartition partition, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var watermarks = await Run(partition.Topic, () => _consumer.QueryWatermarkOffsets(KafkaRecordMapping.ToKafka(partition), _options.RequestTimeout), cancellationToken)
            .ConfigureAwait(false);
        return new WatermarkOffsets(watermarks.Low.Value, watermarks.High.Value);
    }

    /// <inheritdoc />
    public void Pause(IReadOnlyList<TopicPartition> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        foreach (var partition in partitions)
        {
            _paused.Add(partition);
        }

        _commands.Enqueue(new ConsumerCommand(ConsumerCommandKind.Pause, default, [.. partitions]));
    }

    /// <inheritdoc />
    public void Resume(IReadOnlyList<TopicPartition> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        foreach (var partition in partitions)
        {
            _paused.Remove(partition);
            if (_held.Remove(partition, out var held))
            {
                while (held.TryDequeue(out var item))
                {
                    _ready.Enqueue(item);
                }
            }
        }

        _commands.Enqueue(new ConsumerCommand(ConsumerCommandKind.Resume, default, [.. partitions]));
    }

    private async Task<T> Run<T>(string physicalTopic, Func<T> call, CancellationToken cancellationToken)
    {
        try
        {
            // The blocking librdkafka call goes on; a cancelled caller just stops waiting for it.
            return await Task.Run(call, cancellationToken).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (KafkaException exception)
        {
            throw KafkaErrors.ToException(exception, LogicalTopic(physicalTopic), _context.ClusterName, KafkaOperation.Consume);
        }
    }

    private Task Run(string physicalTopic, Action call, CancellationToken cancellationToken) =>
        Run(physicalTopic, () =>
        {
            call();
            return true;
        }, cancellationToken);
}
