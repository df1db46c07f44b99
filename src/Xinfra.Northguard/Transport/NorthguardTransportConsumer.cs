using System.Threading.Channels;
using Xinfra.Transport;

namespace Xinfra.Northguard.Transport;

/// <summary>
/// A group member on Northguard: joins the group's coordinator broker on the first read, heartbeats in the background
/// and reads only the ranges the coordinator granted it; positions are committed durably in the cluster. A range that
/// moves away is revoked inside <see cref="ReadAsync"/> (the listener commits) and only then released, so two members
/// never read one range at once. Ranges are read parents first: a child range starts once all its parents were read
/// to their end, which keeps per-key order across splits.
/// </summary>
internal sealed partial class NorthguardTransportConsumer : ITransportConsumer
{
    private readonly NorthguardTransport _transport;
    private readonly ConsumerSpec _spec;
    private readonly PhysicalTopic _topic;
    private readonly Channel<(IncomingRecord Record, CancellationTokenSource Reader)> _records = Channel.CreateBounded<(IncomingRecord Record, CancellationTokenSource Reader)>(4096);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly Dictionary<ulong, CancellationTokenSource> _readers = [];
    private readonly HashSet<ulong> _finished = [];
    private readonly HashSet<TopicPartition> _paused = [];
    private List<TopicPartition> _assignment = [];
    private bool _joined;
    private bool _disposed;

    public NorthguardTransportConsumer(NorthguardTransport transport, ConsumerSpec spec)
    {
        _transport = transport;
        _spec = spec;
        _topic = spec.Topics[0];
    }

    public IReadOnlyList<TopicPartition> Assignment
    {
        get
        {
            lock (_lock)
            {
                return [.. _assignment];
            }
        }
    }

    public async ValueTask<IncomingRecord> ReadAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_joined)
        {
            await JoinAsync(cancellationToken).ConfigureAwait(false);
        }

        while (true)
        {
            TaskCompletionSource changed;
            lock (_lock)
            {
                changed = _changed;
            }

            if (changed.Task.IsCompleted)
            {
                await RebalanceAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (_records.Reader.TryRead(out var item))
            {
                if (IsCurrent(item.Record, item.Reader))
                {
                    return item.Record;
                }

                continue;
            }

            var wait = _records.Reader.WaitToReadAsync(cancellationToken).AsTask();
            if (await Task.WhenAny(wait, changed.Task).ConfigureAwait(false) == wait && !await wait.ConfigureAwait(false))
            {
                throw new ObjectDisposedException(nameof(NorthguardTransportConsumer));
            }
        }
    }

    private bool IsCurrent(IncomingRecord record, CancellationTokenSource reader)
    {
        lock (_lock)
        {
            if (_lost || LeaseExpired())
            {
                // The lease ran out (or the coordinator expelled the member): another member may own the range now.
                _lost = true;
                _changed.TrySetResult();
                return false;
            }

            return !_paused.Contains(record.Position.TopicPartition)
                && _readers.TryGetValue((ulong)record.Position.Partition, out var current) && ReferenceEquals(current, reader);
        }
    }

    public async ValueTask CommitAsync(IReadOnlyList<TopicPartitionOffset> positions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(positions);
        foreach (var position in positions)
        {
            var range = (ulong)position.Partition;
            long? lease;
            string member;
            lock (_lock)
            {
                if (_lost || LeaseExpired())
                {
                    // Fencing: a member whose lease ran out may no longer own the range; its commit could move the
                    // group's position backwards under the new owner.
                    throw new ConsumeException($"Cannot commit {position}: the group membership of '{_spec.GroupId}' was lost (no acknowledged heartbeat within the session timeout, or expelled); the range may belong to another member now.") { Cluster = _transport.Cluster };
                }

                lease = _leases.TryGetValue(range, out var epoch) ? epoch : null;
                member = _memberId;
            }

            if (lease is not { } leaseEpoch)
            {
                // No lease: a coordinator from before fencing granted the range (its commits stay unconditional).
                await _transport.Reader.CommitAsync(_spec.GroupId, _topic.Name, range, position.Offset, cancellationToken).ConfigureAwait(false);
                continue;
            }

            try
            {
                await _transport.Reader.CommitAsync(_spec.GroupId, _topic.Name, range, position.Offset, member, leaseEpoch, cancellationToken).ConfigureAwait(false);
            }
            catch (Groups.CommitFencedException)
            {
                // The range was granted again: this member's view is stale. Drop every range and rejoin.
                lock (_lock)
                {
                    _lost = true;
                    _changed.TrySetResult();
                }

                throw;
            }
        }
    }

    public async ValueTask<IReadOnlyList<TopicPartitionOffset>> GetCommittedAsync(IReadOnlyList<TopicPartition> partitions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        var result = new List<TopicPartitionOffset>(partitions.Count);
        foreach (var partition in partitions)
        {
            var position = await _transport.Reader.FetchPositionAsync(_spec.GroupId, _topic.Name, (ulong)partition.Partition, cancellationToken).ConfigureAwait(false);
            result.Add(new TopicPartitionOffset(partition, position ?? -1));
        }

        return result;
    }

    public void Seek(TopicPartitionOffset position)
    {
        lock (_lock)
        {
            if (!_assignment.Contains(position.TopicPartition))
            {
                throw new ConsumeException($"Cannot seek {position}: range is not assigned to this member of group '{_spec.GroupId}'.") { Cluster = _transport.Cluster };
            }

            StartRange((ulong)position.Partition, position.Offset);
        }
    }

    public async ValueTask<IReadOnlyList<TopicPartitionOffset>> OffsetsForTimeAsync(IReadOnlyList<TopicPartition> partitions, DateTimeOffset timestamp, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        var result = new List<TopicPartitionOffset>(partitions.Count);
        var wanted = timestamp.ToUnixTimeMilliseconds();
        foreach (var partition in partitions)
        {
            var high = await _transport.HighWatermarkAsync(_topic, (ulong)partition.Partition, cancellationToken).ConfigureAwait(false);
            var found = high;
            if (high > 0)
            {
                using var scan = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                await foreach (var record in _transport.Reader.ConsumeRangeAsync(_topic.Name, (ulong)partition.Partition, 0, scan.Token).ConfigureAwait(false))
                {
                    if (record.Record.Timestamp >= wanted || record.Offset + 1 >= high)
                    {
                        found = record.Record.Timestamp >= wanted ? record.Offset : high;
                        break;
                    }
                }
            }

            result.Add(new TopicPartitionOffset(partition, found));
        }

        return result;
    }

    public async ValueTask<WatermarkOffsets> GetWatermarksAsync(TopicPartition partition, CancellationToken cancellationToken) =>
        await _transport.WatermarksAsync(_topic, (ulong)partition.Partition, cancellationToken).ConfigureAwait(false);

    public void Pause(IReadOnlyList<TopicPartition> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        lock (_lock)
        {
            _paused.UnionWith(partitions);
        }
    }

    public void Resume(IReadOnlyList<TopicPartition> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        lock (_lock)
        {
            _paused.ExceptWith(partitions);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_heartbeats is not null)
        {
            await _heartbeats.ConfigureAwait(false);
        }

        lock (_lock)
        {
            foreach (var reader in _readers.Values)
            {
                reader.Dispose();
            }

            _readers.Clear();
        }

        await LeaveAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
