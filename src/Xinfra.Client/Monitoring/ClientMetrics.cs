using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Xinfra.Monitoring;

/// <summary>The client-side instruments of the <c>Xinfra</c> meter. Tags: <c>topic</c> (logical), <c>cluster</c>.</summary>
internal static class ClientMetrics
{
    public static readonly Counter<long> ProducedRecords = XinfraTelemetry.Meter.CreateCounter<long>(
        "xinfra.produce.records", "{record}", "Records acknowledged by a cluster.");

    public static readonly Counter<long> ProducedBytes = XinfraTelemetry.Meter.CreateCounter<long>(
        "xinfra.produce.bytes", "By", "Key, value and header bytes acknowledged by a cluster.");

    public static readonly Counter<long> ProduceErrors = XinfraTelemetry.Meter.CreateCounter<long>(
        "xinfra.produce.errors", "{error}", "Produce attempts that failed, by error type.");

    public static readonly Histogram<double> ProduceDuration = XinfraTelemetry.Meter.CreateHistogram<double>(
        "xinfra.produce.duration", "s", "Time from ProduceAsync to the record being durable on every cluster the phase writes to.");

    public static readonly Counter<long> ConsumedRecords = XinfraTelemetry.Meter.CreateCounter<long>(
        "xinfra.consume.records", "{record}", "Records delivered to the application.");

    public static readonly Counter<long> ConsumedBytes = XinfraTelemetry.Meter.CreateCounter<long>(
        "xinfra.consume.bytes", "By", "Key, value and header bytes delivered to the application.");

    public static readonly Counter<long> CommitFailures = XinfraTelemetry.Meter.CreateCounter<long>(
        "xinfra.consume.commit_failures", "{failure}", "Commits the cluster refused, per topic and group; outcome=deferred (retried later) or abandoned (records processed since the last commit will be delivered again, from whichever epoch the group reads next).");

    public static readonly Counter<long> ConfigRejected = XinfraTelemetry.Meter.CreateCounter<long>(
        "xinfra.config.rejected", "{change}", "Configuration changes refused as invalid (the last good one stays).");

    public static readonly Counter<long> PhaseChanges = XinfraTelemetry.Meter.CreateCounter<long>(
        "xinfra.topic.phase_changes", "{change}", "Migration phase changes applied, per topic.");

    private static readonly ConcurrentDictionary<Func<IEnumerable<Measurement<int>>>, byte> PhaseSources = new();

    private static readonly ObservableGauge<int> Phase = XinfraTelemetry.Meter.CreateObservableGauge(
        "xinfra.topic.phase",
        () => PhaseSources.Keys.SelectMany(source => source()),
        "{phase}",
        "Migration phase per logical topic: 0 SourceOnly, 1 DualWriteReadSource, 2 DualWriteReadTarget, 3 TargetOnly.");

    /// <summary>Adds a source of per-topic phases to the <c>xinfra.topic.phase</c> gauge; dispose to remove it.</summary>
    public static IDisposable ObservePhases(Func<IEnumerable<Measurement<int>>> source)
    {
        _ = Phase;
        PhaseSources.TryAdd(source, 0);
        return new Registration(() => PhaseSources.TryRemove(source, out _));
    }

    private static readonly ConcurrentDictionary<Func<IEnumerable<(string Topic, long Depth, long Bytes)>>, byte> OutboxSources = new();

    private static readonly ObservableGauge<long> OutboxDepth = XinfraTelemetry.Meter.CreateObservableGauge(
        "xinfra.dualwrite.outbox.depth",
        () => OutboxSources.Keys.SelectMany(source => source()).Select(o => new Measurement<long>(o.Depth, new KeyValuePair<string, object?>("topic", o.Topic))),
        "{record}",
        "Target copies in the dual-write outbox (DualWriteAck Primary) not yet acknowledged by the target, per topic.");

    private static readonly ObservableGauge<long> OutboxBytes = XinfraTelemetry.Meter.CreateObservableGauge(
        "xinfra.dualwrite.outbox.bytes",
        () => OutboxSources.Keys.SelectMany(source => source()).Select(o => new Measurement<long>(o.Bytes, new KeyValuePair<string, object?>("topic", o.Topic))),
        "By",
        "Bytes on disk of the dual-write outbox entries not yet acknowledged by the target, per topic.");

    /// <summary>Adds a source of per-topic outbox depths and sizes to the outbox gauges; dispose to remove it.</summary>
    public static IDisposable ObserveOutboxes(Func<IEnumerable<(string Topic, long Depth, long Bytes)>> source)
    {
        _ = OutboxDepth;
        _ = OutboxBytes;
        OutboxSources.TryAdd(source, 0);
        return new Registration(() => OutboxSources.TryRemove(source, out _));
    }

    private static readonly ConcurrentDictionary<ConsumerLag, byte> LagSources = new();

    private static readonly ObservableGauge<long> Lag = XinfraTelemetry.Meter.CreateObservableGauge(
        "xinfra.consume.lag",
        () => LagSources.Keys.SelectMany(source => source.Records()),
        "{record}",
        "Records between a consumer's position (last delivered + 1, or the committed position) and the high watermark, per topic, cluster, group and partition; watermarks refreshed every LagRefreshInterval.");

    private static readonly ObservableGauge<double> LagSeconds = XinfraTelemetry.Meter.CreateObservableGauge(
        "xinfra.consume.lag_seconds",
        () => LagSources.Keys.SelectMany(source => source.Seconds()),
        "s",
        "While a partition lags: now minus the timestamp of the last record delivered from it; 0 when caught up.");

    /// <summary>True while a listener (an exporter, a <c>MeterListener</c>) collects either lag gauge; lag refreshes are skipped otherwise.</summary>
    public static bool ConsumerLagEnabled => Lag.Enabled || LagSeconds.Enabled;

    /// <summary>Adds a consumer to the <c>xinfra.consume.lag</c> and <c>xinfra.consume.lag_seconds</c> gauges; dispose to remove it.</summary>
    public static IDisposable ObserveConsumerLag(ConsumerLag lag)
    {
        _ = Lag;
        _ = LagSeconds;
        LagSources.TryAdd(lag, 0);
        return new Registration(() => LagSources.TryRemove(lag, out _));
    }

    private sealed class Registration(Action remove) : IDisposable
    {
        public void Dispose() => remove();
    }

    public static TagList Tags(string topic, string cluster) => new() { { "topic", topic }, { "cluster", cluster } };
}
