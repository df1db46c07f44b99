using System.Diagnostics.Metrics;
using Xinfra.Client.Tests.Support;

namespace Xinfra.Client.Tests.Monitoring;

public sealed class MetricsTests
{
    private static List<(string Name, long Value, string? Topic)> Collect(Action<MeterListener> act)
    {
        var seen = new List<(string, long, string?)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == XinfraTelemetry.Name)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? topic = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "topic")
                {
                    topic = tag.Value as string;
                }
            }

            lock (seen)
            {
                seen.Add((instrument.Name, Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture), topic));
            }
        }

        listener.SetMeasurementEventCallback<int>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.Start();
        act(listener);
        return seen;
    }

    [Fact]
    public async Task PhaseGauge_ReportsEachTopicsPhase_AndFollowsAFlip()
    {
        await using var host = TestHost.FromJson(TestHost.Migrating("DualWriteReadSource"));
        _ = host.Configuration;
        var before = Collect(l => l.RecordObservableInstruments());
        Assert.Contains(("xinfra.topic.phase", 1L, "orders"), before);

        Assert.True(host.Configuration.TryApply(TestHost.Options(TestHost.Migrating("DualWriteReadTarget")), out _));
        var after = Collect(l => l.RecordObservableInstruments());
        Assert.Contains(("xinfra.topic.phase", 2L, "orders"), after);
    }

    [Fact]
    public async Task Produce_CountsRecordsAndBytes_PerTopicAndCluster()
    {
        await using var host = TestHost.FromJson(TestHost.SingleTopic);
        await using var producer = host.Client.CreateProducer<string, string>("orders");
        var seen = Collect(_ => producer.ProduceAsync("k", "value").AsTask().GetAwaiter().GetResult());
        Assert.Contains(seen, m => m.Name == "xinfra.produce.records" && m.Value == 1 && m.Topic == "orders");
        Assert.Contains(seen, m => m.Name == "xinfra.produce.bytes" && m.Value > 6 && m.Topic == "orders");
    }
}
