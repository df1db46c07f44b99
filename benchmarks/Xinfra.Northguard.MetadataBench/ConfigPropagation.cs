using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;
using Xinfra;
using Xinfra.Northguard.Cluster;
using Xinfra.Northguard.ConfigService.Client;

/// <summary>
/// Config-service propagation: N clients watch one document; each version is published through one broker and timed
/// from the start of the publish call until each client's configuration holds it (its reload token fired).
/// </summary>
internal static class ConfigPropagation
{
    public static async Task RunAsync(NorthguardCluster cluster, int clients, int versions)
    {
        await cluster.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
        var endpoints = cluster.Brokers.Select(b => b.Endpoint).ToArray();
        var folder = Directory.CreateTempSubdirectory("xinfra-config-bench-").FullName;
        var roots = new List<ConfigurationRoot>();
        var started = new ConcurrentDictionary<int, long>();
        var applied = new ConcurrentDictionary<(int Client, int Version), double>();
        try
        {
            using var admin = new XinfraConfigAdminClient(endpoints[0]);
            await admin.PublishAsync("bench/propagation", Document(1));
            for (var c = 0; c < clients; c++)
            {
                var client = c;
                var root = (ConfigurationRoot)new ConfigurationBuilder().AddXinfraConfigService(o =>
                {
                    o.Endpoints = [.. endpoints.Skip(client % endpoints.Length), .. endpoints.Take(client % endpoints.Length)];
                    o.Document = "bench/propagation";
                    o.CachePath = Path.Combine(folder, $"client-{client}.json");
                }).Build();
                roots.Add(root);
                ChangeToken.OnChange(root.GetReloadToken, () =>
                {
                    var version = int.Parse(root["Xinfra:ApplicationId"]!["bench-".Length..], CultureInfo.InvariantCulture);
                    if (started.TryGetValue(version, out var at))
                    {
                        applied.TryAdd((client, version), Stopwatch.GetElapsedTime(at).TotalMilliseconds);
                    }
                });
            }

            // Let every watch connect before timing.
            await Task.Delay(TimeSpan.FromSeconds(2));
            for (var version = 2; version <= versions + 1; version++)
            {
                started[version] = Stopwatch.GetTimestamp();
                await admin.PublishAsync("bench/propagation", Document(version));
                var deadline = Stopwatch.StartNew();
                while (Enumerable.Range(0, clients).Any(c => !applied.ContainsKey((c, version))) && deadline.Elapsed < TimeSpan.FromSeconds(30))
                {
                    await Task.Delay(5);
                }

                // Publish at a random point of the brokers' poll cycle.
                await Task.Delay(Random.Shared.Next(50, 300));
            }

            var perClient = applied.Values.Order().ToList();
            var allClients = Enumerable.Range(2, versions).Select(v => Enumerable.Range(0, clients).Max(c => applied.GetValueOrDefault((c, v), double.NaN))).Order().ToList();
            Console.WriteLine($"config propagation, 3 brokers, {clients} watching clients, {versions} versions (poll 200 ms): " +
                $"per client p50 {Percentile(perClient, 0.5):F0} ms, p99 {Percentile(perClient, 0.99):F0} ms; " +
                $"all clients p50 {Percentile(allClients, 0.5):F0} ms, p99 {Percentile(allClients, 0.99):F0} ms; missed {clients * versions - perClient.Count}");
        }
        finally
        {
            foreach (var root in roots)
            {
                root.Dispose();
            }

            Directory.Delete(folder, recursive: true);
        }
    }

    private static string Document(int version) => $$"""
        { "ApplicationId": "bench-{{version}}", "Clusters": { "ng": { "Kind": "Northguard", "Bootstrap": "127.0.0.1:1" } } }
        """;

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
}
