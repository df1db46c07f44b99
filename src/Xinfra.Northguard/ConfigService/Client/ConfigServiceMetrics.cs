using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Xinfra.Northguard.ConfigService.Client;

/// <summary>
/// Config-service instruments on the <c>Xinfra</c> meter, tagged with <c>document</c>: <c>xinfra.config.age</c>
/// (seconds since the service last delivered or confirmed the version in force), <c>xinfra.config.source</c>
/// (1 service, 2 cache) and <c>xinfra.config.version</c>.
/// </summary>
internal static class ConfigServiceMetrics
{
    private static readonly ConcurrentDictionary<XinfraConfigServiceProvider, byte> Providers = new();

    private static readonly ObservableGauge<double> Age = XinfraTelemetry.Meter.CreateObservableGauge(
        "xinfra.config.age",
        () => Observe<double>(p => p.State.Age?.TotalSeconds is { } s ? new Measurement<double>(s, Tag(p)) : (Measurement<double>?)null),
        "s",
        "Time since the config service last delivered or confirmed the configuration in force (for a cache start, since it was fetched).");

    private static readonly ObservableGauge<int> Source = XinfraTelemetry.Meter.CreateObservableGauge(
        "xinfra.config.source",
        () => Observe<int>(p => new Measurement<int>((int)p.State.Source, Tag(p))),
        "{source}",
        "Where the configuration in force came from: 0 none, 1 config service, 2 on-disk cache.");

    private static readonly ObservableGauge<long> Version = XinfraTelemetry.Meter.CreateObservableGauge(
        "xinfra.config.version",
        () => Observe<long>(p => new Measurement<long>(p.State.Version, Tag(p))),
        "{version}",
        "The config document version in force.");

    public static void Add(XinfraConfigServiceProvider provider)
    {
        _ = (Age, Source, Version);
        Providers.TryAdd(provider, 0);
    }

    public static void Remove(XinfraConfigServiceProvider provider) => Providers.TryRemove(provider, out _);

    private static IEnumerable<Measurement<T>> Observe<T>(Func<XinfraConfigServiceProvider, Measurement<T>?> measure)
        where T : struct
    {
        foreach (var provider in Providers.Keys)
        {
            if (measure(provider) is { } m)
            {
                yield return m;
            }
        }
    }

    private static KeyValuePair<string, object?> Tag(XinfraConfigServiceProvider provider) => new("document", provider.DocumentName);
}
