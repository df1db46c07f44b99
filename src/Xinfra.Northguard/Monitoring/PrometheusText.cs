using System.Globalization;
using System.Text;

namespace Xinfra.Northguard.Monitoring;

/// <summary>
/// Renders collected instruments in the Prometheus text exposition format (version 0.0.4): names sanitized
/// (<c>xinfra.northguard.storage.wal.bytes</c> in <c>By</c> becomes <c>xinfra_northguard_storage_wal_bytes_total</c>),
/// the unit appended (<c>_bytes</c>, <c>_milliseconds</c>, <c>_seconds</c>) when the name does not already end with it,
/// <c>_total</c> on counters, tags as labels.
/// </summary>
internal static class PrometheusText
{
    /// <summary>The content type of the format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Renders <paramref name="instruments"/>; instruments without series are left out.</summary>
    public static string Render(IReadOnlyList<(MeterCollector.InstrumentState Instrument, IReadOnlyList<MetricSeries> Series)> instruments)
    {
        var text = new StringBuilder();
        foreach (var (state, series) in instruments)
        {
            if (series.Count == 0)
            {
                continue;
            }

            string name = MetricName(state.Instrument.Name, state.Instrument.Unit, state.Kind);
            if (!string.IsNullOrEmpty(state.Instrument.Description))
            {
                text.Append("# HELP ").Append(name).Append(' ').Append(EscapeHelp(state.Instrument.Description)).Append('\n');
            }

            text.Append("# TYPE ").Append(name).Append(' ').Append(state.Kind switch
            {
                MetricKind.Counter => "counter",
                MetricKind.Histogram => "histogram",
                _ => "gauge",
            }).Append('\n');
            foreach (var s in series)
            {
                if (state.Kind == MetricKind.Histogram)
                {
                    AppendHistogram(text, name, s);
                }
                else
                {
                    AppendSample(text, name, s.Labels, s.Value);
                }
            }
        }

        return text.ToString();
    }

    /// <summary>The Prometheus name of an instrument.</summary>
    public static string MetricName(string instrument, string? unit, MetricKind kind)
    {
        var name = new StringBuilder(instrument.Length + 16);
        foreach (char c in instrument)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c == '_' || c == ':' ? c : '_');
        }

        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            name.Insert(0, '_');
        }

        string? suffix = unit switch
        {
            "By" => "_bytes",
            "ms" => "_milliseconds",
            "s" => "_seconds",
            _ => null,
        };
        string result = name.ToString();
        if (suffix is not null && !result.EndsWith(suffix, StringComparison.Ordinal))
        {
            result += suffix;
        }

        return kind == MetricKind.Counter && !result.EndsWith("_total", StringComparison.Ordinal) ? result + "_total" : result;
    }

    /// <summary>A tag name as a label name (<c>[a-zA-Z_][a-zA-Z0-9_]*</c>).</summary>
    public static string SanitizeLabel(string tag)
    {
        var label = new StringBuilder(tag.Length + 1);
        foreach (char c in tag)
        {
            label.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        }

        if (label.Length == 0 || char.IsAsciiDigit(label[0]))
        {
            label.Insert(0, '_');
        }

        return label.ToString();
    }

    /// <summary>Escapes a label value (backslash, double quote, line feed).</summary>
    public static string EscapeLabelValue(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string EscapeHelp(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static void AppendHistogram(StringBuilder text, string name, MetricSeries series)
    {
        var (buckets, sum, count) = series.Histogram();
        long cumulative = 0;
        var bounds = MeterCollector.HistogramBounds;
        for (int i = 0; i < bounds.Count; i++)
        {
            cumulative += buckets[i];
            AppendSample(text, name + "_bucket", Join(series.Labels, $"le=\"{Format(bounds[i])}\""), cumulative);
        }

        AppendSample(text, name + "_bucket", Join(series.Labels, "le=\"+Inf\""), count);
        AppendSample(text, name + "_sum", series.Labels, sum);
        AppendSample(text, name + "_count", series.Labels, count);
    }

    private static string Join(string labels, string label) => labels.Length == 0 ? label : labels + "," + label;

    private static void AppendSample(StringBuilder text, string name, string labels, double value)
    {
        text.Append(name);
        if (labels.Length > 0)
        {
            text.Append('{').Append(labels).Append('}');
        }

        text.Append(' ').Append(Format(value)).Append('\n');
    }

    private static string Format(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };
}
