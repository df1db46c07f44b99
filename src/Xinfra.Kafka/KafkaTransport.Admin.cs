using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Xinfra.Kafka.Internal;
using Xinfra.Kafka.Testing;
using Xinfra.Transport;

namespace Xinfra.Kafka;

/// <summary>Topic administration (create, describe) for onboarding and tests, through the producer's connections.</summary>
internal sealed partial class KafkaTransport
{
    /// <inheritdoc />
    public async ValueTask<bool> EnsureTopicAsync(PhysicalTopic topic, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(topic);
        cancellationToken.ThrowIfCancellationRequested();
        var specification = new TopicSpecification
        {
            Name = topic.Name,
            NumPartitions = Math.Max(1, topic.Partitions),
            ReplicationFactor = _options.ReplicationFactor,
        };
        try
        {
            await _admin.Value.CreateTopicsAsync([specification], new CreateTopicsOptions { RequestTimeout = _options.RequestTimeout })
                .WaitAsync(cancellationToken).ConfigureAwait(false);
            KafkaLog.TopicCreated(_logger, _context.ClusterName, topic.Name, specification.NumPartitions);
            _knownTopics.TryAdd(topic.Name, topic);
            return true;
        }
        catch (CreateTopicsException exception) when (exception.Results.TrueForAll(r => r.Error.Code is ErrorCode.TopicAlreadyExists or ErrorCode.NoError))
        {
            _knownTopics.TryAdd(topic.Name, topic);
            return false;
        }
        catch (CreateTopicsException exception)
        {
            var error = exception.Results.Find(r => r.Error.IsError)?.Error ?? exception.Error;
            throw KafkaErrors.ToException(error, topic.LogicalTopic, _context.ClusterName, KafkaOperation.Admin, exception);
        }
        catch (KafkaException exception) when (exception.Error.Code == ErrorCode.Local_UnsupportedFeature
            && KafkaMockCluster.Find(_context.Cluster.Bootstrap) is { } mock)
        {
            return await Task.Run(() => CreateOnMock(mock, topic, specification.NumPartitions), cancellationToken).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (KafkaException exception)
        {
            throw KafkaErrors.ToException(exception, topic.LogicalTopic, _context.ClusterName, KafkaOperation.Admin);
        }
    }

    /// <summary>librdkafka's mock cluster has no CreateTopics: create through its API when the topic is absent.</summary>
    private bool CreateOnMock(KafkaMockCluster mock, PhysicalTopic topic, int partitions)
    {
        if (VerifyTopicExists(topic) is null)
        {
            return false;
        }

        mock.CreateTopic(topic.Name, partitions);
        KafkaLog.TopicCreated(_logger, _context.ClusterName, topic.Name, partitions);
        _knownTopics.TryAdd(topic.Name, topic);
        return true;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<PartitionInfo>> DescribeTopicAsync(PhysicalTopic topic, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var partitions = await Task.Run(() => GetPartitions(topic), cancellationToken).WaitAsync(cancellationToken).ConfigureAwait(false);
        var specs = new List<TopicPartitionOffsetSpec>(partitions.Count * 2);
        foreach (var partition in partitions)
        {
            var kafkaPartition = new Confluent.Kafka.TopicPartition(topic.Name, new Partition(partition));
            specs.Add(new TopicPartitionOffsetSpec { TopicPartition = kafkaPartition, OffsetSpec = OffsetSpec.Earliest() });
        }

        var earliest = await ListOffsetsAsync(topic, specs, cancellationToken).ConfigureAwait(false);
        foreach (var spec in specs)
        {
            spec.OffsetSpec = OffsetSpec.Latest();
        }

        var latest = await ListOffsetsAsync(topic, specs, cancellationToken).ConfigureAwait(false);
        var result = new PartitionInfo[partitions.Count];
        for (var i = 0; i < partitions.Count; i++)
        {
            var partition = new Transport.TopicPartition(topic.Name, partitions[i]);
            result[i] = new PartitionInfo(partition, new Transport.WatermarkOffsets(earliest[partitions[i]], latest[partitions[i]]));
        }

        return result;
    }

    private List<int> GetPartitions(PhysicalTopic topic)
    {
        try
        {
            var metadata = _admin.Value.GetMetadata(topic.Name, _options.RequestTimeout);
            var found = metadata.Topics.Find(t => string.Equals(t.Topic, topic.Name, StringComparison.Ordinal));
            if (found is null || found.Error.Code == ErrorCode.UnknownTopicOrPart || found.Partitions.Count == 0)
            {
                throw UnknownTopic(topic);
            }

            if (found.Error.IsError)
            {
                throw KafkaErrors.ToException(found.Error, topic.LogicalTopic, _context.ClusterName, KafkaOperation.Admin);
            }

            var partitions = found.Partitions.ConvertAll(p => p.PartitionId);
            partitions.Sort();
            return partitions;
        }
        catch (KafkaException exception)
        {
            throw KafkaErrors.ToException(exception, topic.LogicalTopic, _context.ClusterName, KafkaOperation.Admin);
        }
    }

    private async Task<Dictionary<int, long>> ListOffsetsAsync(PhysicalTopic topic, List<TopicPartitionOffsetSpec> specs, CancellationToken cancellationToken)
    {
        try
        {
            var listed = await _admin.Value.ListOffsetsAsync(specs, new ListOffsetsOptions { RequestTimeout = _options.RequestTimeout })
                .WaitAsync(cancellationToken).ConfigureAwait(false);
            var offsets = new Dictionary<int, long>(listed.ResultInfos.Count);
            foreach (var info in listed.ResultInfos)
            {
                offsets[info.TopicPartitionOffsetError.Partition.Value] = info.TopicPartitionOffsetError.Offset.Value;
            }

            return offsets;
        }
        catch (ListOffsetsException exception)
        {
            var error = exception.Result.ResultInfos.Find(r => r.TopicPartitionOffsetError.Error.IsError)?.TopicPartitionOffsetError.Error ?? exception.Error;
            throw KafkaErrors.ToException(error, topic.LogicalTopic, _context.ClusterName, KafkaOperation.Admin, exception);
        }
        catch (KafkaException exception)
        {
            throw KafkaErrors.ToException(exception, topic.LogicalTopic, _context.ClusterName, KafkaOperation.Admin);
        }
    }
}
