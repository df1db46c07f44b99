using Microsoft.Extensions.DependencyInjection;
using Xinfra.Northguard.Cluster;
using Xinfra.Northguard.Metadata.Client;
using Xinfra.Northguard.Metadata.Hosting;

namespace Xinfra.Northguard.Tests.MetadataCluster;

/// <summary>A real <see cref="NorthguardCluster"/> whose brokers run <see cref="MetadataModule"/> with 8 vnodes and 50 ms ticks.</summary>
internal static class MetadataClusterHarness
{
    public const int Vnodes = 8;

    public static Task<NorthguardCluster> StartAsync(int brokers) =>
        NorthguardCluster.StartAsync(new NorthguardClusterOptions
        {
            Brokers = brokers,
            Modules = MetadataModule.ForCluster(brokers, m => new MetadataModuleOptions
            {
                Membership = m,
                VnodeCount = Vnodes,
                TickPeriod = TimeSpan.FromMilliseconds(50),
                RequestTimeout = TimeSpan.FromSeconds(5),
            }),
        });

    public static NorthguardMetadataClient Client(NorthguardCluster cluster, params string[] bootstrap) =>
        new(new NorthguardMetadataClientOptions
        {
            Bootstrap = bootstrap.Length > 0 ? bootstrap : [.. cluster.Brokers.Select(b => b.Endpoint)],
            Timeout = TimeSpan.FromSeconds(20),
        });

    /// <summary>The running broker that leads <paramref name="vnode"/> now, or 0.</summary>
    public static async Task<ulong> LeaderOfAsync(NorthguardCluster cluster, int vnode)
    {
        foreach (var broker in cluster.Brokers)
        {
            if (await broker.Services.GetRequiredService<MetadataHost>().IsLeaderAsync(vnode))
            {
                return broker.BrokerId;
            }
        }

        return 0;
    }

    /// <summary>Names <paramref name="count"/> topics that live on <paramref name="vnode"/>.</summary>
    public static IReadOnlyList<string> TopicsOnVnode(int vnode, string prefix, int count)
    {
        var ring = new Xinfra.Northguard.Metadata.Ring.VnodeRing(Vnodes);
        var names = new List<string>();
        for (int i = 0; names.Count < count; i++)
        {
            string name = $"{prefix}-{i}";
            if (ring.VnodeForTopic(name) == vnode)
            {
                names.Add(name);
            }
        }

        return names;
    }
}
