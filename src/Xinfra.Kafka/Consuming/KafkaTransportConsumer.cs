using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Xinfra.Kafka.Consuming;
using Xinfra.Kafka.Internal;
using Xinfra.Kafka.Monitoring;
using Xinfra.Transport;
using TopicPartition = Xinfra.Transport.TopicPartition;

namespace Xinfra.Kafka;

/// <summary>
/// A Kafka consumer group member. Confluent.Kafka's <c>Consume</c> blocks, so a dedicated thread runs the fetch
/// loop (and librdkafka's rebalance callbacks) and feeds a bounded <see cref="Channel{T}"/> that
/// <see cref="ReadAsync"/> drains. Assignment is cooperative-sticky; offsets are committed only by
/// <see cref="CommitAsync"/> (after processing). Seek, pause and resume are carried out by the loop between polls,
/// and records already buffered for a sought or paused partition are dropped or held back so the reader never sees
/// a record from before a seek or while its partition is paused.
/// </summary>
internal sealed partial class KafkaTransportConsumer : ITransportConsumer
{
    private readonly TransportContext _context;
    private readonly KafkaTransportOptions _options;
    private readonly ConsumerSpec _spec;
    private readonly ILogger _logger;
    private readonly IConsumer<ReadOnlyMemory<byte>?, ReadOnlyMemory<byte>?> _consumer;
    private readonly KafkaClientStatistics _statistics;
    private readonly Channel<ConsumerItem> _channel;
    private readonly Dictionary<string, PhysicalTopic> _topics = new(StringComparer.Ordinal);

    // Reader-owned state (the consumer has one reader at a time).
    private readonly List<TopicPartition> _assignment = [];
    private readonly Dictionary<TopicPartition, int> _expectedEpochs = [];
    private readonly HashSet<TopicPartition> _paused = [];
    private readonly Dictionary<TopicPartition, Queue<ConsumerItem>> _held = [];
    private readonly Queue<ConsumerItem> _ready = new();
    private RebalanceEvent? _assigning;
    private int _disposed;

    /// <summary>Runs once the consumer left its group (the transport counts its own members with it).</summary>
    private readonly Action? _onClosed;

    public KafkaTransportConsumer(TransportContext context, KafkaTransportOptions options, ConsumerSpec spec, ILogger logger, Action? onClosed = null)
    {
        _onClosed = onClosed;
        ArgumentException.ThrowIfNullOrEmpty(spec.GroupId);
        if (spec.Topics.Count == 0)
        {
            throw new ArgumentException("a consumer needs at least one topic", nameof(spec));
        }

        _context = context;
        _options = options;
        _spec = spec;
        _logger = logger;
        foreach (var topic in spec.Topics)
        {
            _topics[topic.Name] = topic;
        }

        _channel = Channel.CreateBounded<ConsumerItem>(new BoundedChannelOptions(Math.Max(1, options.ConsumerBufferSize))
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _statistics = new KafkaClientStatistics(context.ClusterName, "consumer", logger);
        var arena = new ArenaDeserializer();
        var builder = new ConsumerBuilder<ReadOnlyMemory<byte>?, ReadOnlyMemory<byte>?>(KafkaClientConfigs.Consumer(context, options, spec))
            .SetKeyDeserializer(arena)
            .SetValueDeserializer(arena)
            .SetErrorHandler((_, error) => OnError(error))
            .SetLogHandler((_, log) => KafkaLog.LibrdkafkaLog(_logger, KafkaLog.ToLogLevel(log.Level), context.ClusterName, log.Facility, log.Message))
            .SetStatisticsHandler((_, json) => _statistics.OnStatistics(json))
            .SetPartitionsAssignedHandler(OnAssigned)
            .SetPartitionsRevokedHandler((_, partitions) => OnRevoked(partitions, lost: false))
            .SetPartitionsLostHandler((_, partitions) => OnRevoked(partitions, lost: true));
        if (OAuthTokenSource.IsNeeded(context))
        {
            var tokens = new OAuthTokenSource(context, options, logger);
            builder.SetOAuthBearerTokenRefreshHandler((client, config) => tokens.Refresh(client, config));
        }

        try
        {
            _consumer = builder.Build();
        }
        catch (KafkaException exception)
        {
            _statistics.Dispose();
            throw new XinfraConfigurationException(
                $"Kafka cluster '{context.ClusterName}': the consumer configuration was refused: {exception.Error.Reason}", exception)
            {
                Cluster = context.ClusterName,
            };
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<TopicPartition> Assignment => [.. _assignment];

    /// <inheritdoc />
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<IncomingRecord> ReadAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        EnsureStarted();
        while (true)
        {
            ConsumerItem item;
            if (_ready.Count > 0)
            {
                item = _ready.Dequeue();
            }
            else if (!_channel.Reader.TryRead(out item))
            {
                try
                {
                    item = await _channel.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (ChannelClosedException exception) when (exception.InnerException is XinfraException failure)
                {
                    throw failure;
                }
                catch (ChannelClosedException exception)
                {
                    throw new ConsumeException(
                        $"the Kafka consumer of group '{_spec.GroupId}' on cluster '{_context.ClusterName}' has stopped", exception)
                    {
                        Topic = _spec.Topics[0].LogicalTopic,
                        Cluster = _context.ClusterName,
                    };
                }
            }

            if (item.Rebalance is { } rebalance)
            {
                HandleRebalance(rebalance);
            }
            else if (item.Error is { } error)
            {
                throw error;
            }
            else if (Accept(item))
            {
                return item.Record!;
            }
        }
    }

    /// <summary>Stops the fetch loop, leaves the group and closes the client. Does not call the listener: commit first.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_thread is not null)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await _stopped.Task.ConfigureAwait(false);
        }
        else
        {
            _consumer.Dispose();
        }

        _stop.Dispose();
        _statistics.Dispose();
        _onClosed?.Invoke();
    }

    private bool Accept(in ConsumerItem item)
    {
        var partition = item.Record!.Position.TopicPartition;
        if (_expectedEpochs.Count > 0 && _expectedEpochs.GetValueOrDefault(partition) != item.Epoch)
        {
            return false; // fetched before a seek
        }

        if (_paused.Count > 0 && _paused.Contains(partition))
        {
            if (!_held.TryGetValue(partition, out var held))
            {
                _held[partition] = held = new Queue<ConsumerItem>();
            }

            held.Enqueue(item);
            return false;
        }

        return true;
    }

    private void HandleRebalance(RebalanceEvent rebalance)
    {
        try
        {
            if (rebalance.Kind == RebalanceKind.Assigned)
            {
                _assignment.AddRange(rebalance.Partitions);
                _assigning = rebalance;
                _spec.Listener?.OnAssigned(this, rebalance.Partitions);
            }
            else
            {
                _spec.Listener?.OnRevoked(this, rebalance.Partitions);
                foreach (var partition in rebalance.Partitions)
                {
                    _assignment.Remove(partition);
                    _paused.Remove(partition);
                    _held.Remove(partition);
                }

                DropReady(rebalance.Partitions);
            }
        }
        finally
        {
            _assigning = null;
            rebalance.Complete();
        }
    }

    private void DropReady(IReadOnlyList<TopicPartition> partitions)
    {
        for (var i = _ready.Count; i > 0; i--)
        {
            var item = _ready.Dequeue();
            if (!Contains(partitions, item.Record!.Position.TopicPartition))
            {
                _ready.Enqueue(item);
            }
        }
    }

    private static bool Contains(IReadOnlyList<TopicPartition> partitions, TopicPartition partition)
    {
        for (var i = 0; i < partitions.Count; i++)
        {
            if (partitions[i] == partition)
            {
                return true;
            }
        }

        return false;
    }

    private string? LogicalTopic(string physical) => _topics.TryGetValue(physical, out var topic) ? topic.LogicalTopic : physical;
}
