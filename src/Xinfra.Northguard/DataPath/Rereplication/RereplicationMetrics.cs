using System.Diagnostics.Metrics;

namespace Xinfra.Northguard.DataPath.Rereplication;

/// <summary>
/// Re-replication gauges of one broker, on its own <c>Xinfra.Northguard</c> meter
/// (<see cref="Broker.BrokerContext.Meter"/>), tagged <c>broker</c>, from its last pass:
/// <c>northguard.segments.under_replicated</c> (sealed segments with a replica on a gone broker) and
/// <c>northguard.segments.unavailable</c> (of those, with no live replica at all). Nothing once stopped.
/// </summary>
internal static class RereplicationMetrics
{
    public static void Observe(Meter meter, SegmentRereplicator rereplicator)
    {
        meter.CreateObservableGauge("northguard.segments.under_replicated", () => Measure(rereplicator, rereplicator.UnderReplicated), "{segment}",
            "Sealed segments with a replica on a broker that is gone.");
        meter.CreateObservableGauge("northguard.segments.unavailable", () => Measure(rereplicator, rereplicator.Unavailable), "{segment}",
            "Sealed segments with no live replica.");
    }

    private static Measurement<int>[] Measure(SegmentRereplicator rereplicator, int value) =>
        rereplicator.Stopped ? [] : [new Measurement<int>(value, new KeyValuePair<string, object?>("broker", rereplicator.BrokerId))];
}
