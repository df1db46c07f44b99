using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Xinfra.Northguard.Metadata.Hosting;

/// <summary>
/// Metadata gauges on the <c>Xinfra.Northguard</c> meter, one measurement per running broker (tag <c>broker</c>):
/// <c>xinfra.northguard.metadata.vnode_leaders</c> (vnode Raft groups this broker leads) and
/// <c>xinfra.northguard.metadata.vnodes_hosted</c> (vnode groups it replicates), as of its last tick.
/// </summary>
internal static class MetadataMetrics
{
    private static readonly Meter Meter = new("Xinfra.Northguard");
    private static readonly ConcurrentDictionary<MetadataHost, byte> Running = new();

    static MetadataMetrics()
    {
        Meter.CreateObservableGauge("xinfra.northguard.metadata.vnode_leaders", () => Measure(static h => h.LedVnodeCount), "{vnode}",
            "Vnode Raft groups this broker leads.");
        Meter.CreateObservableGauge("xinfra.northguard.metadata.vnodes_hosted", () => Measure(static h => h.HostedVnodeCount), "{vnode}",
            "Vnode Raft groups this broker replicates.");
    }

    public static void Register(MetadataHost host) => Running[host] = 0;

    public static void Unregister(MetadataHost host) => Running.TryRemove(host, out _);

    private static IEnumerable<Measurement<int>> Measure(Func<MetadataHost, int> pick)
    {
        foreach (var host in Running.Keys)
        {
            yield return new Measurement<int>(pick(host), new KeyValuePair<string, object?>("broker", host.BrokerId));
        }
    }
}
