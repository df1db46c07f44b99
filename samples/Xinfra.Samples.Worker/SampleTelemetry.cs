using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Xinfra.Northguard.Storage.Diagnostics;

namespace Xinfra.Samples.Worker;

/// <summary>
/// Opt-in OpenTelemetry wiring, bound from the <c>Telemetry</c> section: with <c>Telemetry:Console=true</c> the
/// <c>Xinfra</c> meter and activity source (and the <c>Xinfra.Northguard</c> meter of the embedded brokers running in
/// this process) are exported to the console.
/// </summary>
public static class SampleTelemetry
{
    /// <summary>Adds the OpenTelemetry SDK with console exporters when <c>Telemetry:Console</c> is true.</summary>
    public static IServiceCollection AddSampleTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        if (!configuration.GetValue("Telemetry:Console", false))
        {
            return services;
        }

        int intervalMs = (int)TimeSpan.FromSeconds(configuration.GetValue("Telemetry:ExportIntervalSeconds", 10)).TotalMilliseconds;
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("xinfra-samples-worker"))
            .WithMetrics(metrics => metrics
                .AddMeter(XinfraTelemetry.Name)
                .AddMeter(StorageMetrics.MeterName)
                .AddConsoleExporter((_, reader) => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = intervalMs))
            .WithTracing(tracing => tracing
                .AddSource(XinfraTelemetry.Name)
                .AddConsoleExporter());
        return services;
    }
}
