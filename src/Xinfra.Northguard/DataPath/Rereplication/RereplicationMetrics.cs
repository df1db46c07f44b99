using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Xinfra.Northguard.DataPath.Rereplication;

/// <summary>
/// Re-replication metrics on the <c>Xinfra.Northguard</c> meter: <c>northguard.segments.under_replicated</c> and
/// <c>northguard.segments.unavailable</c> (no live replica), as last observed by each broker (tag <c>broker</c>).
/// </summary>
internal static class RereplicationMetrics
{
    public const string MeterName = "Xinfra.Northguard";

    private static readonly Meter Meter = new(MeterName);
    private static readonly ConcurrentDictionary<ulong, (int UnderReplicated, int Unavailable)> Last = new();

    static RereplicationMetrics()
    {
        Meter.CreateObservableGauge("northguard.segments.under_replicated", () => Measure(static v => v.UnderReplicated), "{segment}",
            "Sealed segments with a replica on a broker that is gone.");
        Meter.CreateObservableGauge("northguard.segments.unavailable", () => Measure(static v => v.Unavailable), "{segment}",
            "Sealed segments with no live replica.");
    }

    public static void Observe(ulong brokerId, int underReplicated, int unavailable) => Last[brokerId] = (underReplicated, unavailable);

    public static void Forget(ulong brokerId) => Last.TryRemove(brokerId, out _);

    private static IEnumerable<Measurement<int>> Measure(Func<(int UnderReplicated, int Unavailable), int> pick)
    {
        foreach (var (broker, value) in Last)
        {
            yield return new Measurement<int>(pick(value), new KeyValuePair<string, object?>("broker", broker));
        }
    }
}
