using Microsoft.Extensions.Logging;
using Xinfra.Kafka.Internal;

namespace Xinfra.Kafka.Monitoring;

/// <summary>The latest statistics of one librdkafka client (producer, consumer), registered with <see cref="KafkaMetrics"/>.</summary>
internal sealed class KafkaClientStatistics : IDisposable
{
    private readonly string _cluster;
    private readonly ILogger _logger;
    private KafkaStatistics? _latest;

    public KafkaClientStatistics(string cluster, string kind, ILogger logger)
    {
        _cluster = cluster;
        _logger = logger;
        Kind = kind;
        Tags = [new("cluster", cluster), new("client", kind)];
        KafkaMetrics.Register(this);
    }

    /// <summary><c>producer</c> or <c>consumer</c>.</summary>
    public string Kind { get; }

    /// <summary>The tags every measurement of this client carries.</summary>
    public KeyValuePair<string, object?>[] Tags { get; }

    /// <summary>The last report parsed, or null before the first one.</summary>
    public KafkaStatistics? Latest => Volatile.Read(ref _latest);

    /// <summary>The statistics handler: parses and keeps a report. Called on a librdkafka thread; never throws.</summary>
    public void OnStatistics(string json)
    {
        try
        {
            Volatile.Write(ref _latest, KafkaStatistics.Parse(json));
        }
        catch (System.Text.Json.JsonException exception)
        {
            KafkaLog.StatisticsUnparsed(_logger, _cluster, exception);
        }
    }

    /// <inheritdoc />
    public void Dispose() => KafkaMetrics.Unregister(this);
}
