using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Xinfra.Migration;
using Xinfra.Monitoring;
using Xinfra.Routing;
using Xinfra.Serialization;
using Xinfra.Transport;

namespace Xinfra.Consuming;

/// <summary>A consumer-group member of one logical topic; see <see cref="IXinfraConsumer{TKey, TValue}"/>.</summary>
internal sealed partial class XinfraConsumer<TKey, TValue> : IXinfraConsumer<TKey, TValue>
{
    private readonly ConsumerOptions<TKey, TValue> _options;
    private readonly XinfraConfigurationMonitor _configuration;
    private readonly TransportRegistry _transports;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly IDeserializer<TKey> _keyDeserializer;
    private readonly IDeserializer<TValue> _valueDeserializer;
    private readonly Dictionary<TopicPartition, long> _processed = [];
    private readonly MigrationCutover _cutover;
    private readonly ConsumerLag _lag;
    private DeliveryFilter? _filter;
    private long? _deferredUntil;
    private TopicRoute? _deferralToCheck;
    private int _deferrals;
    private CancellationTokenSource _routeChanged = new();
    private ITransportConsumer? _consumer;
    private PhysicalTopic? _reading;
    private ITransport? _readingTransport;
    private int _epoch;
    private long _lastCommit;
    private int _enumerating;
    private bool _disposed;

    public XinfraConsumer(
        string topic,
        ConsumerOptions<TKey, TValue> options,
        XinfraConfigurationMonitor configuration,
        TransportRegistry transports,
        TimeProvider timeProvider,
        ILogger logger)
    {
        Topic = topic;
        _options = options;
        _configuration = configuration;
        _transports = transports;
        _timeProvider = timeProvider;
        _logger = logger;
        _keyDeserializer = options.KeyDeserializer ?? Serdes.Default<TKey>();
        _valueDeserializer = options.ValueDeserializer ?? Serdes.Default<TValue>();
        _lastCommit = timeProvider.GetTimestamp();
        _lag = new ConsumerLag(topic, options.GroupId, timeProvider, options.LagRefreshInterval, logger);
        _cutover = new MigrationCutover(transports, new CheckpointStore(transports, timeProvider), timeProvider, logger, options.CutoverQuietPeriod);
        _configuration.Changed += OnConfigurationChanged;
    }

    public string Topic { get; }

    public string GroupId => _options.GroupId;

    public IReadOnlyList<TopicPartition> Assignment => _consumer?.Assignment ?? [];

    public IAsyncEnumerable<ConsumeResult<TKey, TValue>> ConsumeAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Interlocked.Exchange(ref _enumerating, 1) == 1)
        {
            throw new InvalidOperationException($"Topic '{Topic}', group '{GroupId}': this consumer is already being enumerated; a consumer has one reader at a time.");
        }

        _configuration.Current.Route(Topic);
        return ReadAllAsync(cancellationToken);
    }

    private async IAsyncEnumerable<ConsumeResult<TKey, TValue>> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var consumer = await EnsureConsumerAsync(cancellationToken).ConfigureAwait(false);
                var record = await ReadOrSwitchAsync(consumer, cancellationToken).ConfigureAwait(false);
                if (record is null || await DeferralOvertakenAsync(cancellationToken).ConfigureAwait(false))
                {
                    continue;
                }

                _lag.Delivered(record);

                if (_filter is not null && !_filter.ShouldDeliver(record))
                {
                    // Delivered from the other epoch before the cutover: skip it, and count it as processed.
                    _processed[record.Position.TopicPartition] = record.Position.Offset + 1;
                    continue;
                }

                yield return ToResult(record);

                // The loop asked for the next record: the previous one is processed.
                if (_options.CommitMode == CommitMode.AfterProcessing)
                {
                    _processed[record.Position.TopicPartition] = record.Position.Offset + 1;
                    if (_timeProvider.GetElapsedTime(_lastCommit) >= _options.CommitInterval)
                    {
                        await TryCommitAsync(cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }
        finally
        {
            Volatile.Write(ref _enumerating, 0);
        }
    }

    private async ValueTask<IncomingRecord?> ReadOrSwitchAsync(ITransportConsumer consumer, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _routeChanged.Token);
        try
        {
            return await consumer.ReadAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The phase changed which epoch to read; the next turn of the loop switches.
            return null;
        }
    }

    public void Seek(TopicPartition partition, long offset)
    {
        var consumer = _consumer ?? throw new ConsumeException($"Topic '{Topic}', group '{GroupId}': cannot seek before the consumer has joined its group (start consuming first).") { Topic = Topic };
        consumer.Seek(new TopicPartitionOffset(partition, offset));
        _processed.Remove(partition);
        _lag.Forget(partition);
    }

    public async ValueTask SeekToTimeAsync(DateTimeOffset timestamp, CancellationToken cancellationToken = default)
    {
        var consumer = _consumer ?? throw new ConsumeException($"Topic '{Topic}', group '{GroupId}': cannot seek before the consumer has joined its group (start consuming first).") { Topic = Topic };
        var positions = await consumer.OffsetsForTimeAsync(consumer.Assignment, timestamp, cancellationToken).ConfigureAwait(false);
        foreach (var position in positions)
        {
            consumer.Seek(position);
            _processed.Remove(position.TopicPartition);
            _lag.Forget(position.TopicPartition);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _configuration.Changed -= OnConfigurationChanged;
        await CloseConsumerAsync(CancellationToken.None).ConfigureAwait(false);
        _routeChanged.Dispose();
        _lag.Dispose();
    }
}
