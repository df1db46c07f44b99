using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Xinfra.Kafka.Internal;
using Xinfra.Transport;

namespace Xinfra.Kafka;

/// <summary>Describing a consumer group without joining it: members (DescribeConsumerGroups) and committed offsets (OffsetFetch).</summary>
internal sealed partial class KafkaTransport
{
    /// <inheritdoc />
    public async ValueTask<GroupDescription> DescribeGroupAsync(string groupId, PhysicalTopic topic, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupId);
        ArgumentNullException.ThrowIfNull(topic);
        var partitions = await Task.Run(() => GetPartitions(topic), cancellationToken).WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var members = await CountMembersAsync(groupId, cancellationToken).ConfigureAwait(false);

            var request = new ConsumerGroupTopicPartitions(groupId, [.. partitions.Select(p => new Confluent.Kafka.TopicPartition(topic.Name, new Partition(p)))]);
            var listed = await _admin.Value.ListConsumerGroupOffsetsAsync([request], new ListConsumerGroupOffsetsOptions { RequestTimeout = _options.RequestTimeout })
                .WaitAsync(cancellationToken).ConfigureAwait(false);
            var committed = new List<Xinfra.Transport.TopicPartitionOffset>(partitions.Count);
            foreach (var partition in listed[0].Partitions)
            {
                var offset = partition.Offset == Offset.Unset ? -1 : partition.Offset.Value;
                committed.Add(new Xinfra.Transport.TopicPartitionOffset(new Xinfra.Transport.TopicPartition(topic.Name, partition.Partition.Value), offset));
            }

            return new GroupDescription(groupId, members, committed);
        }
        catch (DescribeConsumerGroupsException exception)
        {
            throw KafkaErrors.ToException(exception.Results.ConsumerGroupDescriptions.Find(r => r.Error.IsError)?.Error ?? exception.Error, topic.LogicalTopic, _context.ClusterName, KafkaOperation.Admin, exception);
        }
        catch (ListConsumerGroupOffsetsException exception)
        {
            throw KafkaErrors.ToException(exception.Error, topic.LogicalTopic, _context.ClusterName, KafkaOperation.Admin, exception);
        }
        catch (KafkaException exception)
        {
            throw KafkaErrors.ToException(exception, topic.LogicalTopic, _context.ClusterName, KafkaOperation.Admin);
        }
    }

    /// <summary>Consumers this transport created per group that have not closed yet.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _localMembers = new(StringComparer.Ordinal);

    /// <summary>
    /// Active members. When the cluster cannot say (librdkafka's mock cluster has no DescribeGroups): the members this
    /// transport (this process) still has, if any — a lower bound that can only make a migration barrier wait longer —
    /// else -1.
    /// </summary>
    private async Task<int> CountMembersAsync(string groupId, CancellationToken cancellationToken)
    {
        try
        {
            var described = await _admin.Value.DescribeConsumerGroupsAsync([groupId], new DescribeConsumerGroupsOptions { RequestTimeout = _options.RequestTimeout })
                .WaitAsync(cancellationToken).ConfigureAwait(false);
            return described.ConsumerGroupDescriptions.Find(d => d.GroupId == groupId)?.Members.Count ?? 0;
        }
        catch (DescribeConsumerGroupsException exception) when (exception.Results.ConsumerGroupDescriptions.Exists(r => r.Error.Code == ErrorCode.Local_UnsupportedFeature))
        {
            return _localMembers.GetValueOrDefault(groupId) is var local and > 0 ? local : -1;
        }
    }
}
