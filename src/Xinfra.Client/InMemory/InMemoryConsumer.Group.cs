using Xinfra.Transport;

namespace Xinfra.InMemory;

/// <summary>Group membership: join, hand partitions over on rebalance, tell the listener.</summary>
internal sealed partial class InMemoryConsumer
{
    private void SyncGroup()
    {
        List<TopicPartition>? revoked = null;
        lock (_cluster.Sync)
        {
            var group = Group;
            if (!_joined)
            {
                group.Join(_memberId, _topicNames);
                _joined = true;
            }

            group.RefreshTopology();
            if (group.Generation == _seenGeneration && group.Claimable(_memberId).Count == 0)
            {
                return;
            }

            foreach (var tp in _assignment)
            {
                if (!group.IsTarget(tp, _memberId))
                {
                    (revoked ??= []).Add(tp);
                }
            }
        }

        if (revoked is not null)
        {
            // The listener commits what was processed before the partitions move on.
            _spec.Listener?.OnRevoked(this, revoked);
            lock (_cluster.Sync)
            {
                foreach (var tp in revoked)
                {
                    Group.Release(tp, _memberId);
                    _positions.Remove(tp);
                    _paused.Remove(tp);
                }

                _assignment = [.. _assignment.Except(revoked)];
            }

            _cluster.Changed.Pulse();
        }

        List<TopicPartition> assigned;
        lock (_cluster.Sync)
        {
            var group = Group;
            _seenGeneration = group.Generation;
            assigned = group.Claimable(_memberId);
            foreach (var tp in assigned)
            {
                group.Take(tp, _memberId);
                var committed = group.Committed(tp);
                var log = _cluster.Partitions(tp.Topic)[tp.Partition];
                _positions[tp] = committed >= 0 ? Math.Min(committed, log.Count)
                    : _spec.AutoOffsetReset == AutoOffsetReset.Earliest ? 0 : log.Count;
            }

            if (assigned.Count > 0)
            {
                _assignment = [.. _assignment, .. assigned];
            }
        }

        if (assigned.Count > 0)
        {
            _spec.Listener?.OnAssigned(this, assigned);
        }
    }

    public ValueTask<IReadOnlyList<TopicPartitionOffset>> OffsetsForTimeAsync(IReadOnlyList<TopicPartition> partitions, DateTimeOffset timestamp, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        var result = new List<TopicPartitionOffset>(partitions.Count);
        lock (_cluster.Sync)
        {
            foreach (var tp in partitions)
            {
                var log = _cluster.Partitions(tp.Topic)[tp.Partition];
                var offset = log.Count;
                for (var i = 0; i < log.Count; i++)
                {
                    if (log[i].Timestamp >= timestamp)
                    {
                        offset = i;
                        break;
                    }
                }

                result.Add(new TopicPartitionOffset(tp, offset));
            }
        }

        return ValueTask.FromResult<IReadOnlyList<TopicPartitionOffset>>(result);
    }

    public ValueTask<WatermarkOffsets> GetWatermarksAsync(TopicPartition partition, CancellationToken cancellationToken)
    {
        lock (_cluster.Sync)
        {
            return ValueTask.FromResult(new WatermarkOffsets(0, _cluster.Partitions(partition.Topic)[partition.Partition].Count));
        }
    }
}
