using System.Text.Json;

namespace Xinfra.Kafka.Monitoring;

/// <summary>The figures Xinfra keeps from one librdkafka statistics report (see librdkafka's STATISTICS.md).</summary>
internal sealed class KafkaStatistics
{
    /// <summary>Messages waiting in the producer queue (<c>msg_cnt</c>).</summary>
    public long QueuedMessages { get; private init; }

    /// <summary>Messages sent to brokers since the client started (<c>txmsgs</c>).</summary>
    public long TransmittedMessages { get; private init; }

    /// <summary>Messages received from brokers since the client started (<c>rxmsgs</c>).</summary>
    public long ReceivedMessages { get; private init; }

    /// <summary>Bytes sent to brokers (<c>tx_bytes</c>).</summary>
    public long TransmittedBytes { get; private init; }

    /// <summary>Bytes received from brokers (<c>rx_bytes</c>).</summary>
    public long ReceivedBytes { get; private init; }

    /// <summary>Average round-trip time per broker, in milliseconds (<c>brokers.*.rtt.avg</c>, reported in microseconds).</summary>
    public IReadOnlyList<(string Broker, double RttMs)> BrokerRtt { get; private init; } = [];

    /// <summary>Consumer lag per partition (<c>topics.*.partitions.*.consumer_lag</c>, where known).</summary>
    public IReadOnlyList<(string Topic, int Partition, long Lag)> ConsumerLag { get; private init; } = [];

    /// <summary>Parses a statistics JSON document.</summary>
    public static KafkaStatistics Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var rtt = new List<(string, double)>();
        if (root.TryGetProperty("brokers", out var brokers))
        {
            foreach (var broker in brokers.EnumerateObject())
            {
                if (broker.Value.TryGetProperty("nodeid", out var node) && node.GetInt32() >= 0
                    && broker.Value.TryGetProperty("rtt", out var window) && window.TryGetProperty("avg", out var avg))
                {
                    rtt.Add((broker.Name, avg.GetInt64() / 1000.0));
                }
            }
        }

        var lag = new List<(string, int, long)>();
        if (root.TryGetProperty("topics", out var topics))
        {
            foreach (var topic in topics.EnumerateObject())
            {
                if (!topic.Value.TryGetProperty("partitions", out var partitions))
                {
                    continue;
                }

                foreach (var partition in partitions.EnumerateObject())
                {
                    if (partition.Value.TryGetProperty("partition", out var id) && id.GetInt32() >= 0
                        && partition.Value.TryGetProperty("consumer_lag", out var value) && value.GetInt64() >= 0)
                    {
                        lag.Add((topic.Name, id.GetInt32(), value.GetInt64()));
                    }
                }
            }
        }

        return new KafkaStatistics
        {
            QueuedMessages = Long(root, "msg_cnt"),
            TransmittedMessages = Long(root, "txmsgs"),
            ReceivedMessages = Long(root, "rxmsgs"),
            TransmittedBytes = Long(root, "tx_bytes"),
            ReceivedBytes = Long(root, "rx_bytes"),
            BrokerRtt = rtt,
            ConsumerLag = lag,
        };
    }

    private static long Long(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;
}
