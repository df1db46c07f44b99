using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Xinfra.Northguard.Broker;

namespace Xinfra.Northguard.Monitoring;

/// <summary>
/// Listens (with a <see cref="MeterListener"/>) to every instrument of the meters named <see cref="MeterName"/> and
/// aggregates their measurements in memory for the Prometheus endpoint: counters are summed, up/down counters and
/// gauges keep their current value, histograms count into <see cref="HistogramBounds"/>. Observable instruments are
/// read at each <see cref="Collect"/>. Measurements taken before the collector starts are not seen.
/// </summary>
internal sealed class MeterCollector : IDisposable
{
    /// <summary>The meter whose instruments are collected.</summary>
    public const string MeterName = "Xinfra.Northguard";

    /// <summary>
    /// Upper bounds of the histogram buckets (the <c>+Inf</c> bucket is implicit); chosen for durations in
    /// milliseconds, from 50 µs to 10 s, which is what the meter's histograms record.
    /// </summary>
    /// <summary>A tag that weights a measurement (records per batch) rather than labelling it; not exported.</summary>
    public const string WeightTag = "records";

    public static readonly IReadOnlyList<double> HistogramBounds = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, InstrumentState> _instruments = new();
    private readonly Lock _collecting = new();

    /// <summary>
    /// Collects the process-wide instruments of the meter, and of the per-broker meters (whose scope is a
    /// <see cref="BrokerContext"/>) only those of <paramref name="broker"/>.
    /// </summary>
    public MeterCollector(BrokerContext? broker)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MeterName && (instrument.Meter.Scope is not BrokerContext scope || ReferenceEquals(scope, broker))
                && KindOf(instrument) is { } kind)
            {
                _instruments[instrument] = new InstrumentState(instrument, kind.Kind, kind.Cumulative);
                listener.EnableMeasurementEvents(instrument, _instruments[instrument]);
            }
        };
        _listener.MeasurementsCompleted = (instrument, _) => _instruments.TryRemove(instrument, out InstrumentState? _);
        _listener.SetMeasurementEventCallback<byte>(static (i, v, t, s) => ((InstrumentState)s!).Record(v, t));
        _listener.SetMeasurementEventCallback<short>(static (i, v, t, s) => ((InstrumentState)s!).Record(v, t));
        _listener.SetMeasurementEventCallback<int>(static (i, v, t, s) => ((InstrumentState)s!).Record(v, t));
        _listener.SetMeasurementEventCallback<long>(static (i, v, t, s) => ((InstrumentState)s!).Record(v, t));
        _listener.SetMeasurementEventCallback<float>(static (i, v, t, s) => ((InstrumentState)s!).Record(v, t));
        _listener.SetMeasurementEventCallback<double>(static (i, v, t, s) => ((InstrumentState)s!).Record(v, t));
        _listener.SetMeasurementEventCallback<decimal>(static (i, v, t, s) => ((InstrumentState)s!).Record((double)v, t));
        _listener.Start();
    }

    /// <summary>Reads the observable instruments and returns every instrument with its series.</summary>
    public IReadOnlyList<(InstrumentState Instrument, IReadOnlyList<MetricSeries> Series)> Collect()
    {
        lock (_collecting)
        {
            foreach (var state in _instruments.Values)
            {
                if (state.Instrument.IsObservable)
                {
                    state.Clear();
                }
            }

            _listener.RecordObservableInstruments();
            return [.. _instruments.Values
                .OrderBy(s => s.Instrument.Name, StringComparer.Ordinal)
                .Select(s => (s, (IReadOnlyList<MetricSeries>)[.. s.Series.OrderBy(x => x.Labels, StringComparer.Ordinal)]))];
        }
    }

    public void Dispose() => _listener.Dispose();

    private static (MetricKind Kind, bool Cumulative)? KindOf(Instrument instrument)
    {
        var type = instrument.GetType();
        if (!type.IsGenericType)
        {
            return null;
        }

        return type.GetGenericTypeDefinition() switch
        {
            var t when t == typeof(Counter<>) => (MetricKind.Counter, true),
            var t when t == typeof(ObservableCounter<>) => (MetricKind.Counter, false),
            var t when t == typeof(UpDownCounter<>) => (MetricKind.Gauge, true),
            var t when t == typeof(ObservableUpDownCounter<>) => (MetricKind.Gauge, false),
            var t when t == typeof(ObservableGauge<>) || t == typeof(Gauge<>) => (MetricKind.Gauge, false),
            var t when t == typeof(Histogram<>) => (MetricKind.Histogram, false),
            _ => null,
        };
    }

    /// <summary>One collected instrument and its series by label set.</summary>
    internal sealed class InstrumentState(Instrument instrument, MetricKind kind, bool cumulative)
    {
        private readonly ConcurrentDictionary<string, MetricSeries> _series = new(StringComparer.Ordinal);

        // Most measurements carry one tag (file, result, broker): look those up without rendering the labels.
        private readonly ConcurrentDictionary<(string Key, object? Value), MetricSeries> _byOneTag = new();

        public Instrument Instrument { get; } = instrument;

        public MetricKind Kind { get; } = kind;

        public IEnumerable<MetricSeries> Series => _series.Values;

        public void Clear()
        {
            _series.Clear();
            _byOneTag.Clear();
        }

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var series = SeriesFor(WithoutWeight(tags));
            if (Kind == MetricKind.Histogram)
            {
                series.Observe(value, HistogramBounds);
            }
            else if (cumulative)
            {
                series.Add(value);
            }
            else
            {
                series.Set(value);
            }
        }

        /// <summary>
        /// Drops a <c>records</c> tag: the produce stage histograms carry their batch's record count so that an
        /// in-process listener (the load tool) can weight them per record; as a label it would be one series per size.
        /// </summary>
        private static ReadOnlySpan<KeyValuePair<string, object?>> WithoutWeight(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            int at = -1;
            for (int i = 0; i < tags.Length; i++)
            {
                if (tags[i].Key == WeightTag)
                {
                    at = i;
                }
            }

            if (at < 0)
            {
                return tags;
            }

            if (tags.Length == 1)
            {
                return [];
            }

            var rest = new KeyValuePair<string, object?>[tags.Length - 1];
            tags[..at].CopyTo(rest);
            tags[(at + 1)..].CopyTo(rest.AsSpan(at));
            return rest;
        }

        private MetricSeries SeriesFor(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.IsEmpty)
            {
                return _series.GetOrAdd(string.Empty, static _ => new MetricSeries(string.Empty, HistogramBounds.Count + 1));
            }

            if (tags.Length == 1)
            {
                var tag = (tags[0].Key, tags[0].Value);
                if (_byOneTag.TryGetValue(tag, out var known))
                {
                    return known;
                }

                var series = SeriesByLabels(tags);
                _byOneTag.TryAdd(tag, series);
                return series;
            }

            return SeriesByLabels(tags);
        }

        private MetricSeries SeriesByLabels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var sorted = new KeyValuePair<string, string>[tags.Length];
            for (int i = 0; i < tags.Length; i++)
            {
                sorted[i] = new(PrometheusText.SanitizeLabel(tags[i].Key), Convert.ToString(tags[i].Value, CultureInfo.InvariantCulture) ?? string.Empty);
            }

            Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
            var labels = new StringBuilder();
            foreach (var (key, value) in sorted)
            {
                labels.Append(labels.Length == 0 ? "" : ",").Append(key).Append("=\"").Append(PrometheusText.EscapeLabelValue(value)).Append('"');
            }

            return _series.GetOrAdd(labels.ToString(), static key => new MetricSeries(key, HistogramBounds.Count + 1));
        }
    }
}
