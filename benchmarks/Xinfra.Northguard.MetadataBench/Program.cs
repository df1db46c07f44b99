// Northguard metadata on real in-process brokers (Kestrel + gRPC on loopback, WAL fsync per batch):
// metadata ops/s on a 3-broker cluster, then the time to elect a new vnode leader after its broker is stopped.
// Usage: dotnet run -c Release --project benchmarks/Xinfra.Northguard.MetadataBench -- [--seconds 5] [--concurrency 32] [--runs 50] [--tick-ms 100] [--vnodes 64]
// Config-service propagation instead: ... -- --config-clients 20 [--config-versions 50]
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Xinfra.Northguard.Cluster;
using Xinfra.Northguard.Metadata.Client;
using Xinfra.Northguard.Metadata.Hosting;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Ring;

var settings = Args.Parse(args);
var options = new NorthguardClusterOptions
{
    Brokers = 3,
    Modules = MetadataModule.ForCluster(3, m => new MetadataModuleOptions
    {
        Membership = m,
        VnodeCount = settings.Vnodes,
        TickPeriod = TimeSpan.FromMilliseconds(settings.TickMs),
    }),
};
Console.WriteLine($"3 brokers, {settings.Vnodes} vnodes x 3 replicas, tick {settings.TickMs} ms (election timeout 10-20 ticks), concurrency {settings.Concurrency}, {Environment.ProcessorCount} cores");
await using var cluster = await NorthguardCluster.StartAsync(options);
using var client = new NorthguardMetadataClient(new NorthguardMetadataClientOptions { Bootstrap = [.. cluster.Brokers.Select(b => b.Endpoint)] });
var policy = StoragePolicy.Default;
if (settings.ConfigClients > 0)
{
    await ConfigPropagation.RunAsync(cluster, settings.ConfigClients, settings.ConfigVersions);
    return;
}

// Warm up: every vnode elects a leader and the client caches it.
var ring = new VnodeRing(settings.Vnodes);
for (int v = 0; v < settings.Vnodes; v++)
{
    await client.PutDocumentAsync(KeyOnVnode(ring, v, "warmup"), "{}"u8.ToArray(), -1);
}

var ranges = new List<RangeId>();
await Measure("create topic (1 range)", async i =>
{
    var created = await client.CreateTopicAsync($"bench-{i}", policy, 1);
    lock (ranges)
    {
        ranges.Add(created.Ranges[0].Id);
    }
});

var segments = new SegmentId[ranges.Count];
await Measure("open segment", async i =>
{
    if (i < ranges.Count)
    {
        segments[i] = await client.OpenSegmentAsync(ranges[i], [1, 2, 3]);
    }
}, ranges.Count);
await Measure("seal segment", async i =>
{
    if (i < segments.Length)
    {
        await client.SealSegmentAsync(segments[i], 1000);
    }
}, segments.Length);

// Election: stop the leader's broker, time until a survivor leads the vnode, restart it.
var elections = new List<double>();
for (int run = 0; run < settings.Runs; run++)
{
    int vnode = run % settings.Vnodes;
    ulong leader = await LeaderOf(vnode);
    while (leader == 0)
    {
        await Task.Delay(10);
        leader = await LeaderOf(vnode);
    }

    var watch = Stopwatch.StartNew();
    var stopping = cluster.StopBrokerAsync(leader);
    ulong next = 0;
    while (next == 0 || next == leader)
    {
        await Task.Delay(5);
        next = await LeaderOf(vnode, except: leader);
    }

    elections.Add(watch.Elapsed.TotalMilliseconds);
    await stopping;
    await cluster.RestartBrokerAsync(leader);
}

elections.Sort();
Console.WriteLine($"leader election after the leader's broker stopped: runs {elections.Count}, p50 {Percentile(elections, 0.50):F0} ms, p99 {Percentile(elections, 0.99):F0} ms, max {elections[^1]:F0} ms");
var counters = cluster.Brokers.Select(b => b.Services.GetRequiredService<MetadataHost>().Counters).ToList();
Console.WriteLine($"per broker since restart: fsyncs {string.Join('/', counters.Select(c => c.Syncs))}, persist batches {string.Join('/', counters.Select(c => c.Batches))}, group readies {string.Join('/', counters.Select(c => c.Readies))}");
return;

async Task<ulong> LeaderOf(int vnode, ulong except = 0)
{
    foreach (var broker in cluster.Brokers)
    {
        if (broker.BrokerId != except && await broker.Services.GetRequiredService<MetadataHost>().IsLeaderAsync(vnode))
        {
            return broker.BrokerId;
        }
    }

    return 0;
}

async Task Measure(string name, Func<int, Task> op, int limit = int.MaxValue)
{
    var latencies = new List<double>();
    int next = -1;
    var total = Stopwatch.StartNew();
    var deadline = TimeSpan.FromSeconds(settings.Seconds);
    var workers = Enumerable.Range(0, settings.Concurrency).Select(async _ =>
    {
        while (total.Elapsed < deadline)
        {
            int i = Interlocked.Increment(ref next);
            if (i >= limit)
            {
                return;
            }

            long start = Stopwatch.GetTimestamp();
            await op(i);
            double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            lock (latencies)
            {
                latencies.Add(ms);
            }
        }
    });
    await Task.WhenAll(workers);
    double seconds = total.Elapsed.TotalSeconds;
    latencies.Sort();
    Console.WriteLine($"{name}: {latencies.Count} ops in {seconds:F1} s = {latencies.Count / seconds:F0} ops/s, p50 {Percentile(latencies, 0.5):F1} ms, p99 {Percentile(latencies, 0.99):F1} ms");
}

static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];

static string KeyOnVnode(VnodeRing ring, int vnode, string prefix)
{
    for (int i = 0; ; i++)
    {
        string key = $"{prefix}-{i}";
        if (ring.VnodeForTopic(key) == vnode)
        {
            return key;
        }
    }
}

internal sealed record Args(int Seconds, int Concurrency, int Runs, int TickMs, int Vnodes, int ConfigClients, int ConfigVersions)
{
    public static Args Parse(string[] args)
    {
        int Get(string name, int fallback)
        {
            int i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
        }

        return new Args(Get("--seconds", 5), Get("--concurrency", 32), Get("--runs", 50), Get("--tick-ms", 100), Get("--vnodes", 64), Get("--config-clients", 0), Get("--config-versions", 50));
    }
}
