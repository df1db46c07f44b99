using System.Diagnostics.Metrics;

namespace Xinfra.Northguard.Metadata.Hosting;

/// <summary>
/// Metadata gauges of one broker, on its own <c>Xinfra.Northguard</c> meter (<see cref="Broker.BrokerContext.Meter"/>),
/// tagged <c>broker</c>: <c>xinfra.northguard.metadata.vnode_leaders</c> (vnode Raft groups this broker leads, as of
/// its last tick) and <c>xinfra.northguard.metadata.vnodes_hosted</c> (vnode groups it replicates). They report
/// nothing once the host stopped.
/// </summary>
internal static class MetadataMetrics
{
    public static void Observe(Meter meter, MetadataHost host)
    {
        meter.CreateObservableGauge("xinfra.northguard.metadata.vnode_leaders", () => Measure(host, host.LedVnodeCount), "{vnode}",
            "Vnode Raft groups this broker leads.");
        meter.CreateObservableGauge("xinfra.northguard.metadata.vnodes_hosted", () => Measure(host, host.HostedVnodeCount), "{vnode}",
            "Vnode Raft groups this broker replicates.");
    }

    private static Measurement<int>[] Measure(MetadataHost host, int value) =>
        host.Stopped ? [] : [new Measurement<int>(value, new KeyValuePair<string, object?>("broker", host.BrokerId))];
}
