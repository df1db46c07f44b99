using Xinfra.Transport;

namespace Xinfra.InMemory;

/// <summary>One consumer-group member on an in-memory cluster.</summary>
internal sealed partial class InMemoryConsumer : ITransportConsumer
{
    private readonly InMemoryCluster _cluster;
    private readonly string _clusterName;
    private readonly ConsumerSpec _spec;
    private readonly string _memberId;
    private readonly string[] _topicNames;
    private readonly Dictionary<TopicPartition, long> _positions = [];
    private readonly HashSet<TopicPartition> _paused = [];
    private List<TopicPartition> _assignment = [];
    private bool _joined;
    private int _seenGeneration = -1;
    private int _nextPartition;
    private bool _disposed;

    public InMemoryConsumer(string clusterName, InMemoryCluster cluster, ConsumerSpec spec)
    {
        _clusterName = clusterName;
        _cluster = cluster;
        _spec = spec;
        _memberId = $"{spec.ClientId}-{Guid.NewGuid():N}";
        _topicNames = [.. spec.Topics.Select(t => t.Name).Distinct(StringComparer.Ordinal)];
    }

    public IReadOnlyList<TopicPartition> Assignment => _assignment;

    private InMemoryGroup Group => _cluster.Group(_spec.GroupId);

    public async ValueTask<IncomingRecord> ReadAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var version = _cluster.Changed.Version;
            SyncGroup();
            if (TryReadNext() is { } record)
            {
                return record;
            }

            await _cluster.Changed.WaitAsync(version, cancellationToken).ConfigureAwait(false);
        }
    }

    private IncomingRecord? TryReadNext()
    {
        lock (_cluster.Sync)
        {
            var count = _assignment.Count;
            for (var i = 0; i < count; i++)
            {
                var tp = _assignment[(_nextPartition + i) % count];
                if (_paused.Contains(tp) || !_cluster.TryGetPartitions(tp.Topic, out var partitions))
                {
                    continue;
                }

                var log = partitions[tp.Partition];
                var position = _positions[tp];
                if (position < log.Count)
                {
                    _positions[tp] = position + 1;
                    _nextPartition = (_nextPartition + i + 1) % count;
                    var r = log[(int)position];
                    return new IncomingRecord(_clusterName, new TopicPartitionOffset(tp, r.Offset), r.Key, r.Value, r.Headers, r.Timestamp);
                }
            }

            return null;
        }
    }

    public ValueTask CommitAsync(IReadOnlyList<TopicPartitionOffset> positions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(positions);
        lock (_cluster.Sync)
        {
            var group = Group;
            foreach (var p in positions)
            {
                if (!_assignment.Contains(p.TopicPartition))
                {
                    throw new ConsumeException($"Cannot commit {p}: partition is not assigned to this member of group '{_spec.GroupId}'.") { Cluster = _clusterName };
                }

                group.Commit(p.TopicPartition, p.Offset);
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<TopicPartitionOffset>> GetCommittedAsync(IReadOnlyList<TopicPartition> partitions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        lock (_cluster.Sync)
        {
            var group = Group;
            return ValueTask.FromResult<IReadOnlyList<TopicPartitionOffset>>([.. partitions.Select(tp => new TopicPartitionOffset(tp, group.Committed(tp)))]);
        }
    }

    public void Seek(TopicPartitionOffset position)
    {
        lock (_cluster.Sync)
        {
            if (!_positions.ContainsKey(position.TopicPartition))
            {
                throw new ConsumeException($"Cannot seek {position}: partition is not assigned to this member of group '{_spec.GroupId}'.") { Cluster = _clusterName };
            }

            var high = _cluster.Partitions(position.Topic)[position.Partition].Count;
            if (position.Offset < 0 || position.Offset > high)
            {
                throw new OffsetOutOfRangeException($"Cannot seek {position}: valid offsets are 0..{high}.", position.Offset, 0, high) { Cluster = _clusterName };
            }

            _positions[position.TopicPartition] = position.Offset;
        }
    }

    public void Pause(IReadOnlyList<TopicPartition> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        lock (_cluster.Sync)
        {
            _paused.UnionWith(partitions);
        }
    }

    public void Resume(IReadOnlyList<TopicPartition> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        lock (_cluster.Sync)
        {
            _paused.ExceptWith(partitions);
        }

        _cluster.Changed.Pulse();
    }

    public ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return ValueTask.CompletedTask;
        }

        _disposed = true;
        lock (_cluster.Sync)
        {
            if (_joined)
            {
                Group.Leave(_memberId);
            }

            _assignment = [];
            _positions.Clear();
        }

        return ValueTask.CompletedTask;
    }
}
