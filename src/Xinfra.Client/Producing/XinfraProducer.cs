using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Xinfra.Monitoring;
using Xinfra.Producing.Outbox;
using Xinfra.Routing;
using Xinfra.Serialization;
using Xinfra.Transport;

namespace Xinfra.Producing;

/// <summary>The producer of one logical topic; see <see cref="IXinfraProducer{TKey, TValue}"/>.</summary>
internal sealed partial class XinfraProducer<TKey, TValue> : IXinfraProducer<TKey, TValue>
{
    private readonly XinfraConfigurationMonitor _configuration;
    private readonly TransportRegistry _transports;
    private readonly DualWriteOutboxes _outboxes;
    private readonly ISerializer<TKey> _keySerializer;
    private readonly ISerializer<TValue> _valueSerializer;
    private readonly ResiliencePipeline _retry;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly string _producerId;
    private readonly HashSet<ITransport> _used = [];
    private long _sequence;
    private bool _disposed;

    public XinfraProducer(
        string topic,
        ProducerOptions<TKey, TValue> options,
        XinfraConfigurationMonitor configuration,
        TransportRegistry transports,
        DualWriteOutboxes outboxes,
        TimeProvider timeProvider,
        ILogger logger)
    {
        Topic = topic;
        _configuration = configuration;
        _transports = transports;
        _outboxes = outboxes;
        _timeProvider = timeProvider;
        _logger = logger;
        _keySerializer = options.KeySerializer ?? Serdes.Default<TKey>();
        _valueSerializer = options.ValueSerializer ?? Serdes.Default<TValue>();
        _producerId = $"{configuration.Current.Options.ApplicationId}-{Guid.NewGuid():N}";
        _retry = new ResiliencePipelineBuilder { TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<XinfraException>(static e => e.IsTransient),
                MaxRetryAttempts = Math.Max(1, options.MaxRetryAttempts),
                Delay = options.RetryBaseDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = args =>
                {
                    Log.ProduceRetry(_logger, Topic, args.Context.OperationKey ?? "?", args.AttemptNumber + 1, args.Outcome.Exception!);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
        if (DualWriteOutboxes.MustOpen(topic, configuration.Current.Options.Topics[topic]))
        {
            // Opening the outbox starts replaying what an earlier process left in it.
            outboxes.Open(topic, configuration, transports);
        }
    }

    public string Topic { get; }

    public ValueTask<DeliveryReceipt> ProduceAsync(TKey key, TValue value, CancellationToken cancellationToken = default) =>
        ProduceAsync(new XinfraMessage<TKey, TValue> { Key = key, Value = value }, cancellationToken);

    public async ValueTask<DeliveryReceipt> ProduceAsync(XinfraMessage<TKey, TValue> message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var route = _configuration.Current.Route(Topic);
        using var activity = StartActivity(route);
        var (record, messageId) = BuildRecord(message, route);
        try
        {
            return await SendAsync(route, record, messageId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (activity is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            throw;
        }
    }

    private async ValueTask<DeliveryReceipt> SendAsync(TopicRoute route, OutgoingRecord record, string messageId, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        TransportReceipt[] copies;
        if (route.WriteTo.Count == 2 && route.DualWriteAck == DualWriteAckPolicy.Primary)
        {
            copies = await WritePrimaryAsync(route, record, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await WaitForOutboxAsync(route, cancellationToken).ConfigureAwait(false);
            copies = route.WriteTo.Count == 1
                ? [await WriteOneAsync(route.WriteTo[0], record, cancellationToken).ConfigureAwait(false)]
                : await WriteBothAsync(route, record, cancellationToken).ConfigureAwait(false);
        }

        ClientMetrics.ProduceDuration.Record(_timeProvider.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("topic", Topic));
        return new DeliveryReceipt(Topic, route.Phase, messageId, copies);
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        ITransport[] used;
        lock (_used)
        {
            used = [.. _used];
        }

        foreach (var transport in used)
        {
            await transport.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        await _pending.WhenIdleAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await FlushAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private async ValueTask<TransportReceipt> WriteOneAsync(PhysicalTopic topic, OutgoingRecord record, CancellationToken cancellationToken)
    {
        var transport = await PrepareAsync(topic, cancellationToken).ConfigureAwait(false);
        var context = ResilienceContextPool.Shared.Get(topic.Cluster, cancellationToken);
        try
        {
            var receipt = await _retry.ExecuteAsync(
                static (ctx, state) => state.transport.ProduceAsync(state.topic, state.record, ctx.CancellationToken),
                context,
                (transport, topic, record)).ConfigureAwait(false);
            var tags = ClientMetrics.Tags(Topic, topic.Cluster);
            ClientMetrics.ProducedRecords.Add(1, tags);
            ClientMetrics.ProducedBytes.Add(record.SizeInBytes, tags);
            return receipt;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var tags = ClientMetrics.Tags(Topic, topic.Cluster);
            tags.Add("error", ex.GetType().Name);
            ClientMetrics.ProduceErrors.Add(1, tags);
            if (ex is XinfraException)
            {
                throw;
            }

            throw new ProduceException($"Topic '{Topic}': produce to cluster '{topic.Cluster}' ({topic.Name}) failed: {ex.Message}", ex) { Topic = Topic, Cluster = topic.Cluster };
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private async ValueTask<ITransport> PrepareAsync(PhysicalTopic topic, CancellationToken cancellationToken)
    {
        var transport = _transports.Get(topic.Cluster);
        lock (_used)
        {
            _used.Add(transport);
        }

        if (_configuration.Current.Route(Topic).AutoCreate)
        {
            await _transports.EnsureTopicAsync(transport, topic, cancellationToken).ConfigureAwait(false);
        }

        lock (_ready)
        {
            _ready.Add(topic);
        }

        return transport;
    }

    private Activity? StartActivity(TopicRoute route)
    {
        var activity = XinfraTelemetry.ActivitySource.StartActivity($"{Topic} publish", ActivityKind.Producer);
        if (activity is not null)
        {
            activity.SetTag("messaging.system", "xinfra");
            activity.SetTag("messaging.destination.name", Topic);
            activity.SetTag("xinfra.phase", route.Phase.ToString());
        }

        return activity;
    }
}
