using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Xinfra.Kafka.Internal;
using Xinfra.Kafka.Monitoring;
using Xinfra.Transport;

namespace Xinfra.Kafka;

/// <summary>
/// The Kafka <see cref="ITransport"/> for one cluster: one idempotent producer (acks=all) shared by every caller, an
/// admin client riding on the producer's connections, and group consumers created on demand. Thread-safe.
/// </summary>
internal sealed partial class KafkaTransport : ITransport
{
    private readonly TransportContext _context;
    private readonly KafkaTransportOptions _options;
    private readonly ILogger _logger;
    private readonly IProducer<byte[]?, byte[]?> _producer;
    private readonly KafkaClientStatistics _statistics;
    private readonly Lazy<IAdminClient> _admin;
    private int _disposed;

    public KafkaTransport(TransportContext context, KafkaTransportOptions options)
    {
        _context = context;
        _options = options;
        _logger = context.LoggerFactory.CreateLogger("Xinfra.Kafka");
        _statistics = new KafkaClientStatistics(context.ClusterName, "producer", _logger);
        var builder = new ProducerBuilder<byte[]?, byte[]?>(KafkaClientConfigs.Producer(context, options))
            .SetKeySerializer(Serializers.ByteArray)
            .SetValueSerializer(Serializers.ByteArray)
            .SetErrorHandler((_, error) => OnError("producer", error))
            .SetLogHandler((_, log) => KafkaLog.LibrdkafkaLog(_logger, KafkaLog.ToLogLevel(log.Level), context.ClusterName, log.Facility, log.Message))
            .SetStatisticsHandler((_, json) => _statistics.OnStatistics(json));
        if (OAuthTokenSource.IsNeeded(context))
        {
            var tokens = new OAuthTokenSource(context, options, _logger);
            builder.SetOAuthBearerTokenRefreshHandler((client, config) => tokens.Refresh(client, config));
        }

        try
        {
            _producer = builder.Build();
        }
        catch (KafkaException exception)
        {
            _statistics.Dispose();
            throw new XinfraConfigurationException(
                $"Kafka cluster '{context.ClusterName}': the client configuration was refused: {exception.Error.Reason}", exception)
            {
                Cluster = context.ClusterName,
            };
        }
        catch (ArgumentException exception)
        {
            _statistics.Dispose();
            throw new XinfraConfigurationException(
                $"Kafka cluster '{context.ClusterName}': the client configuration was refused: {exception.Message}", exception)
            {
                Cluster = context.ClusterName,
            };
        }

        _admin = new Lazy<IAdminClient>(() => new DependentAdminClientBuilder(_producer.Handle).Build());
        KafkaLog.TransportCreated(_logger, context.ClusterName, context.Cluster.Bootstrap ?? string.Empty,
            context.Security?.ToString() ?? "plaintext");
    }

    /// <inheritdoc />
    public ClusterKind Kind => ClusterKind.Kafka;

    /// <inheritdoc />
    public string Cluster => _context.ClusterName;

    /// <summary>The underlying producer, for benchmarks and diagnostics.</summary>
    internal IProducer<byte[]?, byte[]?> Producer => _producer;

    /// <inheritdoc />
    public ITransportConsumer CreateConsumer(ConsumerSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        _localMembers.AddOrUpdate(spec.GroupId, 1, static (_, n) => n + 1);
        return new KafkaTransportConsumer(_context, _options, spec, _logger, () => _localMembers.AddOrUpdate(spec.GroupId, 0, static (_, n) => n - 1));
    }

    /// <summary>Flushes what is in flight (up to <see cref="KafkaTransportOptions.CloseTimeout"/>) and closes the clients.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        var remaining = await Task.Run(() => _producer.Flush(_options.CloseTimeout)).ConfigureAwait(false);
        if (remaining > 0)
        {
            KafkaLog.UndeliveredAtClose(_logger, _context.ClusterName, remaining);
        }

        if (_admin.IsValueCreated)
        {
            _admin.Value.Dispose();
        }

        _producer.Dispose();
        _statistics.Dispose();
    }

    private void OnError(string client, Error error)
    {
        if (error.IsFatal)
        {
            KafkaLog.FatalError(_logger, _context.ClusterName, client, error.Code.ToString(), error.Reason);
        }
        else
        {
            KafkaLog.ClientError(_logger, _context.ClusterName, client, error.Code.ToString(), error.Reason);
        }
    }
}
