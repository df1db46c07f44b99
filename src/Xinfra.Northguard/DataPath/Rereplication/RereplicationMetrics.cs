using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Xinfra.Northguard.DataPath.Rereplication;

/// <summary>
/// Re-replication gauges on the <c>Xinfra.Northguard</c> meter, one measurement per running broker (tag
/// <c>broker</c>) from its last pass: <c>northguard.segments.under_replicated</c> (sealed segments with a replica on a
/// gone broker) and <c>northguard.segments.unavailable</c> (of those, with no live replica at all).
/// </summary>
internal static class RereplicationMetrics
{
    public const string MeterName = "Xinfra.Northguard";

    private static readonly Meter Meter = new(MeterName);
    private static readonly ConcurrentDictionary<SegmentRereplicator, byte> Running = new();

    static RereplicationMetrics()
    {
        Meter.CreateObservableGauge("northguard.segments.under_replicated", () => Measure(static r => r.UnderReplicated), "{segment}",
            "Sealed segments with a replica on a broker that is gone.");
        Meter.CreateObservableGauge("northguard.segments.unavailable", () => Measure(static r => r.Unavailable), "{segment}",
            "Sealed segments with no live replica.");
    }

    public static void Register(SegmentRereplicator rereplicator) => Running[rereplicator] = 0;

    public static void Unregister(SegmentRereplicator rereplicator) => Running.TryRemove(rereplicator, out _);

    private static IEnumerable<Measurement<int>> Measure(Func<SegmentRereplicator, int> pick)
    {
        foreach (var rereplicator in Running.Keys)
        {
            yield return new Measurement<int>(pick(rereplicator), new KeyValuePair<string, object?>("broker", rereplicator.BrokerId));
        }
    }
}
