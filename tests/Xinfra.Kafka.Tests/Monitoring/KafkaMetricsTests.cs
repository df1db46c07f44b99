using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Xinfra.Kafka.Monitoring;
using Xinfra.Kafka.Tests.Infrastructure;
using static Xinfra.Kafka.Tests.Infrastructure.TestRecords;

namespace Xinfra.Kafka.Tests.Monitoring;

public sealed class KafkaMetricsTests(KafkaClusterFixture cluster) : IClassFixture<KafkaClusterFixture>
{
    [Fact]
    public void Parse_StatisticsJson_KeepsQueueTrafficRttAndLag()
    {
        const string json = """
            {"msg_cnt": 7, "txmsgs": 100, "rxmsgs": 5, "tx_bytes": 2000, "rx_bytes": 300,
             "brokers": {"b1:9092/1": {"nodeid": 1, "rtt": {"avg": 2500}}, "GroupCoordinator": {"nodeid": -1, "rtt": {"avg": 1}}},
             "topics": {"orders": {"partitions": {"0": {"partition": 0, "consumer_lag": 42}, "-1": {"partition": -1, "consumer_lag": -1}}}}}
            """;

        var stats = KafkaStatistics.Parse(json);

        Assert.Equal(7, stats.QueuedMessages);
        Assert.Equal(100, stats.TransmittedMessages);
        Assert.Equal(5, stats.ReceivedMessages);
        Assert.Equal([("b1:9092/1", 2.5)], stats.BrokerRtt);
        Assert.Equal([("orders", 0, 42L)], stats.ConsumerLag);
    }

    [Fact]
    public async Task Statistics_WhileProducing_BecomeXinfraKafkaMetrics()
    {
        var seen = new ConcurrentDictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Xinfra" && instrument.Name.StartsWith("xinfra.kafka.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(seen, instrument, value, tags));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(seen, instrument, value, tags));
        listener.Start();

        await using var transport = cluster.CreateTransport(configure: o => o.StatisticsInterval = TimeSpan.FromMilliseconds(100));
        var topic = await cluster.CreateTopicAsync(transport, partitions: 1);
        await ProduceAsync(transport, topic, 20);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!(seen.GetValueOrDefault("xinfra.kafka.tx.messages") >= 20 && seen.ContainsKey("xinfra.kafka.broker.rtt")))
        {
            await Task.Delay(100, cts.Token);
            listener.RecordObservableInstruments();
        }

        Assert.True(seen.ContainsKey("xinfra.kafka.producer.queue.messages"));
    }

    private static void Record(ConcurrentDictionary<string, double> seen, Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == "cluster" && Equals(tag.Value, "test-cluster"))
            {
                seen.AddOrUpdate(instrument.Name, value, (_, old) => Math.Max(old, value));
            }
        }
    }
}
