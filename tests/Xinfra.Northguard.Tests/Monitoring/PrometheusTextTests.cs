using System.Diagnostics.Metrics;
using Xinfra.Northguard.Broker;
using Xinfra.Northguard.Monitoring;

namespace Xinfra.Northguard.Tests.Monitoring;

public sealed class PrometheusTextTests
{
    [Theory]
    [InlineData("xinfra.northguard.storage.wal.bytes", "By", "Counter", "xinfra_northguard_storage_wal_bytes_total")]
    [InlineData("xinfra.northguard.storage.fsync.duration", "ms", "Histogram", "xinfra_northguard_storage_fsync_duration_milliseconds")]
    [InlineData("northguard.segments.under_replicated", "{segment}", "Gauge", "northguard_segments_under_replicated")]
    [InlineData("a-b c.size", "By", "Gauge", "a_b_c_size_bytes")]
    [InlineData("9lives", null, "Counter", "_9lives_total")]
    [InlineData("calls_total", null, "Counter", "calls_total")]
    public void MetricName_SanitizesAndAddsUnitAndTotal(string instrument, string? unit, string kind, string expected) =>
        Assert.Equal(expected, PrometheusText.MetricName(instrument, unit, Enum.Parse<MetricKind>(kind)));

    [Fact]
    public void Collect_AggregatesByKind_EscapesLabels_AndLeavesOutOtherBrokersMeters()
    {
        string prefix = "test.prom." + Guid.NewGuid().ToString("N")[..8];
        string p = prefix.Replace('.', '_');
        var own = new BrokerContext(new NorthguardBrokerOptions { BrokerId = 2, DataDirectory = "unused" }, TimeProvider.System);
        var other = new BrokerContext(new NorthguardBrokerOptions { BrokerId = 1, DataDirectory = "unused" }, TimeProvider.System);
        using var meter = new Meter(MeterCollector.MeterName);
        using var collector = new MeterCollector(own);
        var counter = meter.CreateCounter<long>(prefix + ".sent", "By", "Bytes sent.\nSecond line.");
        var upDown = meter.CreateUpDownCounter<int>(prefix + ".open");
        var histogram = meter.CreateHistogram<double>(prefix + ".latency", "ms");
        int leaders = 5;
        own.Meter.CreateObservableGauge(prefix + ".leaders", () => new Measurement<int>(leaders, new KeyValuePair<string, object?>("broker", 2UL)));
        other.Meter.CreateObservableGauge(prefix + ".leaders", () => new Measurement<int>(3, new KeyValuePair<string, object?>("broker", 1UL)));

        counter.Add(10, new KeyValuePair<string, object?>("peer.name", "a\"b\\c\nd"));
        counter.Add(5, new KeyValuePair<string, object?>("peer.name", "a\"b\\c\nd"));
        counter.Add(7);
        upDown.Add(4);
        upDown.Add(-1);
        foreach (double ms in new[] { 0.01, 0.3, 3, 20_000 })
        {
            histogram.Record(ms);
        }

        string text = PrometheusText.Render(collector.Collect());

        Assert.Contains($"# HELP {p}_sent_bytes_total Bytes sent.\\nSecond line.\n", text, StringComparison.Ordinal);
        Assert.Contains($"# TYPE {p}_sent_bytes_total counter\n", text, StringComparison.Ordinal);
        Assert.Contains($"{p}_sent_bytes_total{{peer_name=\"a\\\"b\\\\c\\nd\"}} 15\n", text, StringComparison.Ordinal);
        Assert.Contains($"{p}_sent_bytes_total 7\n", text, StringComparison.Ordinal);
        Assert.Contains($"# TYPE {p}_open gauge\n{p}_open 3\n", text, StringComparison.Ordinal);
        Assert.Contains($"# TYPE {p}_latency_milliseconds histogram\n", text, StringComparison.Ordinal);
        Assert.Contains($"{p}_latency_milliseconds_bucket{{le=\"0.05\"}} 1\n", text, StringComparison.Ordinal);
        Assert.Contains($"{p}_latency_milliseconds_bucket{{le=\"0.5\"}} 2\n", text, StringComparison.Ordinal);
        Assert.Contains($"{p}_latency_milliseconds_bucket{{le=\"5\"}} 3\n", text, StringComparison.Ordinal);
        Assert.Contains($"{p}_latency_milliseconds_bucket{{le=\"10000\"}} 3\n", text, StringComparison.Ordinal);
        Assert.Contains($"{p}_latency_milliseconds_bucket{{le=\"+Inf\"}} 4\n", text, StringComparison.Ordinal);
        Assert.Contains($"{p}_latency_milliseconds_sum 20003.31\n", text, StringComparison.Ordinal);
        Assert.Contains($"{p}_latency_milliseconds_count 4\n", text, StringComparison.Ordinal);
        Assert.Contains($"{p}_leaders{{broker=\"2\"}} 5\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain($"{p}_leaders{{broker=\"1\"}}", text, StringComparison.Ordinal);

        // Gauges are read afresh at every collection; counters keep accumulating; a stopped broker's meter goes away.
        counter.Add(1);
        leaders = 6;
        string again = PrometheusText.Render(collector.Collect());
        Assert.Contains($"{p}_sent_bytes_total 8\n", again, StringComparison.Ordinal);
        Assert.Contains($"{p}_leaders{{broker=\"2\"}} 6\n", again, StringComparison.Ordinal);
        own.DisposeMeter();
        other.DisposeMeter();
        Assert.DoesNotContain($"{p}_leaders", PrometheusText.Render(collector.Collect()), StringComparison.Ordinal);
    }
}
