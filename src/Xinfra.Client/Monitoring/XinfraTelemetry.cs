using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Xinfra;

/// <summary>
/// The <see cref="Meter"/> and <see cref="ActivitySource"/> named <c>Xinfra</c>. Subscribe to them by name with
/// OpenTelemetry (<c>AddMeter("Xinfra")</c>, <c>AddSource("Xinfra")</c>); Xinfra depends on no exporter.
/// </summary>
public static class XinfraTelemetry
{
    /// <summary>The name of the meter and of the activity source.</summary>
    public const string Name = "Xinfra";

    private static readonly string Version = typeof(XinfraTelemetry).Assembly.GetName().Version?.ToString() ?? "0.0.0";

    /// <summary>The meter every Xinfra instrument belongs to.</summary>
    public static Meter Meter { get; } = new(Name, Version);

    /// <summary>The activity source for produce and consume spans.</summary>
    public static ActivitySource ActivitySource { get; } = new(Name, Version);
}
