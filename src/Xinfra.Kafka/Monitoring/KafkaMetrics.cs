using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Xinfra.Kafka.Monitoring;

/// <summary>
/// The <c>xinfra.kafka.*</c> instruments on the <c>Xinfra</c> meter, fed by librdkafka statistics. Every Kafka client
/// of the process registers a <see cref="KafkaClientStatistics"/>; the observable instruments read the latest report
/// of each when a listener collects.
/// </summary>
internal static class KafkaMetrics
{
    /// <summary>The meter name shared with the client layer.</summary>
    public const string MeterName = "Xinfra";

    private static readonly ConcurrentDictionary<KafkaClientStatistics, byte> Clients = new();
    private static readonly Meter Meter = new(MeterName);

    static KafkaMetrics()
    {
        Meter.CreateObservableGauge("xinfra.kafka.producer.queue.messages", () => Observe(static s => s.QueuedMessages, producersOnly: true),
            unit: "{message}", description: "Messages waiting in librdkafka's producer queue.");
        Meter.CreateObservableCounter("xinfra.kafka.tx.messages", () => Observe(static s => s.TransmittedMessages),
            unit: "{message}", description: "Messages librdkafka sent to brokers.");
        Meter.CreateObservableCounter("xinfra.kafka.rx.messages", () => Observe(static s => s.ReceivedMessages),
            unit: "{message}", description: "Messages librdkafka received from brokers.");
        Meter.CreateObservableCounter("xinfra.kafka.tx.bytes", () => Observe(static s => s.TransmittedBytes),
            unit: "By", description: "Bytes librdkafka sent to brokers.");
        Meter.CreateObservableCounter("xinfra.kafka.rx.bytes", () => Observe(static s => s.ReceivedBytes),
            unit: "By", description: "Bytes librdkafka received from brokers.");
        Meter.CreateObservableGauge("xinfra.kafka.broker.rtt", ObserveRtt,
            unit: "ms", description: "Average broker round-trip time over the last statistics window.");
        Meter.CreateObservableGauge("xinfra.kafka.consumer.lag", ObserveLag,
            unit: "{message}", description: "Records between a consumer's position and the partition's high watermark.");
    }

    /// <summary>Starts reporting a client's statistics.</summary>
    public static void Register(KafkaClientStatistics client) => Clients.TryAdd(client, 0);

    /// <summary>Stops reporting a client's statistics.</summary>
    public static void Unregister(KafkaClientStatistics client) => Clients.TryRemove(client, out _);

    private static IEnumerable<Measurement<long>> Observe(Func<KafkaStatistics, long> value, bool producersOnly = false)
    {
        foreach (var client in Clients.Keys)
        {
            if (client.Latest is { } stats && (!producersOnly || client.Kind == "producer"))
            {
                yield return new Measurement<long>(value(stats), client.Tags);
            }
        }
    }

    private static IEnumerable<Measurement<double>> ObserveRtt()
    {
        foreach (var client in Clients.Keys)
        {
            if (client.Latest is not { } stats)
            {
                continue;
            }

            foreach (var (broker, rtt) in stats.BrokerRtt)
            {
                yield return new Measurement<double>(rtt, [.. client.Tags, new("broker", broker)]);
            }
        }
    }

    private static IEnumerable<Measurement<long>> ObserveLag()
    {
        foreach (var client in Clients.Keys)
        {
            if (client.Latest is not { } stats)
            {
                continue;
            }

            foreach (var (topic, partition, lag) in stats.ConsumerLag)
            {
                yield return new Measurement<long>(lag, [.. client.Tags, new("topic", topic), new("partition", partition)]);
            }
        }
    }
}
