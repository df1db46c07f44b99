using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Xinfra.Transport;

namespace Xinfra.Monitoring;

/// <summary>
/// The lag of one consumer, per partition, for the <c>xinfra.consume.lag</c> and <c>xinfra.consume.lag_seconds</c>
/// gauges. The position is what the consumer delivered last (+1), or the group's committed position until it
/// delivers; the high watermark is refreshed in the background, at most once per <c>LagRefreshInterval</c> per
/// partition (a timer on the consumer's <see cref="TimeProvider"/>, plus once when a partition first delivers), never
/// on the record path. Nothing is refreshed while no listener collects the gauges. A refresh that fails keeps the
/// previous figures.
/// </summary>
internal sealed class ConsumerLag : IDisposable
{
    private readonly Lock _sync = new();
    private readonly Dictionary<TopicPartition, PartitionLag> _partitions = [];
    private readonly string _topic;
    private readonly string _group;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly ITimer _timer;
    private readonly IDisposable _registration;
    private ITransportConsumer? _consumer;
    private string _cluster = string.Empty;
    private int _generation;
    private int _refreshing;

    public ConsumerLag(string topic, string group, TimeProvider time, TimeSpan interval, ILogger logger)
    {
        if (interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, $"Topic '{topic}', group '{group}': LagRefreshInterval must be positive.");
        }

        _topic = topic;
        _group = group;
        _time = time;
        _interval = interval;
        _logger = logger;
        _timer = time.CreateTimer(_ => Kick(), null, interval, interval);
        _registration = ClientMetrics.ObserveConsumerLag(this);
    }

    /// <summary>Starts tracking a new member (after a join or an epoch switch): what was known is dropped.</summary>
    public void Attach(ITransportConsumer consumer, string cluster)
    {
        lock (_sync)
        {
            _partitions.Clear();
            _consumer = consumer;
            _cluster = cluster;
            _generation++;
        }
    }

    /// <summary>Stops tracking the member being closed.</summary>
    public void Detach()
    {
        lock (_sync)
        {
            _partitions.Clear();
            _consumer = null;
            _generation++;
        }
    }

    /// <summary>Notes a delivered record: cheap, no call to the cluster on this path.</summary>
    public void Delivered(IncomingRecord record)
    {
        bool first;
        lock (_sync)
        {
            var lag = State(record.Position.TopicPartition);
            first = lag.LastRefresh is null && !lag.Delivered;
            lag.Position = record.Position.Offset + 1;
            lag.LastTimestamp = record.Timestamp;
            lag.Delivered = true;
            if (lag.High is { } high && high < lag.Position)
            {
                lag.High = lag.Position;
            }
        }

        if (first && ClientMetrics.ConsumerLagEnabled)
        {
            _ = Task.Run(RefreshAsync);
        }
    }

    /// <summary>Forgets the position of <paramref name="partition"/> (after a seek) until it delivers again.</summary>
    public void Forget(TopicPartition partition)
    {
        lock (_sync)
        {
            _partitions.Remove(partition);
        }
    }

    /// <summary>Records behind the high watermark, per partition with a known position and watermark.</summary>
    public IEnumerable<Measurement<long>> Records()
    {
        lock (_sync)
        {
            return [.. _partitions.Where(p => p.Value.Lag is not null).Select(p => new Measurement<long>(p.Value.Lag!.Value, Tags(p.Key)))];
        }
    }

    /// <summary>Seconds since the timestamp of the last delivered record while behind, 0 when caught up.</summary>
    public IEnumerable<Measurement<double>> Seconds()
    {
        var now = _time.GetUtcNow();
        lock (_sync)
        {
            var result = new List<Measurement<double>>();
            foreach (var (partition, lag) in _partitions)
            {
                if (lag.Lag is 0)
                {
                    result.Add(new Measurement<double>(0, Tags(partition)));
                }
                else if (lag.Lag > 0 && lag.LastTimestamp is { } at)
                {
                    result.Add(new Measurement<double>(Math.Max(0, (now - at).TotalSeconds), Tags(partition)));
                }
            }

            return result;
        }
    }

    public void Dispose()
    {
        _registration.Dispose();
        _timer.Dispose();
        _stop.Cancel();
        _stop.Dispose();
        Detach();
    }

    private void Kick()
    {
        if (!_stop.IsCancellationRequested && ClientMetrics.ConsumerLagEnabled)
        {
            _ = RefreshAsync();
        }
    }

    private async Task RefreshAsync()
    {
        if (Interlocked.Exchange(ref _refreshing, 1) == 1)
        {
            return;
        }

        try
        {
            ITransportConsumer? consumer;
            int generation;
            List<TopicPartition> due;
            lock (_sync)
            {
                consumer = _consumer;
                generation = _generation;
                if (consumer is null)
                {
                    return;
                }

                // Partitions this member no longer owns stop being reported (the revoke callback forgets them too).
                var assigned = consumer.Assignment;
                foreach (var gone in _partitions.Keys.Where(p => !assigned.Contains(p)).ToList())
                {
                    _partitions.Remove(gone);
                }

                var now = _time.GetTimestamp();
                due = [.. assigned
                    .Where(p => !_partitions.TryGetValue(p, out var s) || s.LastRefresh is not { } at || _time.GetElapsedTime(at, now) >= _interval)];
            }

            foreach (var partition in due)
            {
                var token = _stop.Token;
                var watermarks = await consumer.GetWatermarksAsync(partition, token).ConfigureAwait(false);
                long? committed = null;
                bool known;
                lock (_sync)
                {
                    known = _partitions.TryGetValue(partition, out var s) && s.Position is not null;
                }

                if (!known)
                {
                    var positions = await consumer.GetCommittedAsync([partition], token).ConfigureAwait(false);
                    committed = positions.FirstOrDefault(p => p.TopicPartition == partition) is { Offset: >= 0 } c ? c.Offset : null;
                }

                lock (_sync)
                {
                    if (generation != _generation)
                    {
                        return;
                    }

                    if (!_partitions.ContainsKey(partition) && !consumer.Assignment.Contains(partition))
                    {
                        continue;
                    }

                    var lag = State(partition);
                    lag.High = Math.Max(watermarks.High, lag.Position ?? 0);
                    lag.Position ??= committed;
                    lag.LastRefresh = _time.GetTimestamp();
                }
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A gauge must never disturb consuming: keep the previous figures and try at the next interval.
            if (!_stop.IsCancellationRequested)
            {
                Log.LagRefreshFailed(_logger, _topic, _group, e.GetType().Name);
            }
        }
        finally
        {
            Volatile.Write(ref _refreshing, 0);
        }
    }

    private PartitionLag State(TopicPartition partition)
    {
        if (!_partitions.TryGetValue(partition, out var lag))
        {
            lag = new PartitionLag();
            _partitions[partition] = lag;
        }

        return lag;
    }

    private TagList Tags(TopicPartition partition) => new()
    {
        { "topic", _topic },
        { "cluster", _cluster },
        { "group", _group },
        { "partition", partition.Partition },
    };

    private sealed class PartitionLag
    {
        public long? Position { get; set; }

        public long? High { get; set; }

        public DateTimeOffset? LastTimestamp { get; set; }

        public long? LastRefresh { get; set; }

        public bool Delivered { get; set; }

        public long? Lag => Position is { } position && High is { } high ? Math.Max(0, high - position) : null;
    }
}
