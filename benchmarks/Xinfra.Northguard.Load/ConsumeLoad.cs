using System.Diagnostics;
using Xinfra.Northguard.Client;
using Xinfra.Northguard.Cluster;
using Xinfra.Northguard.DataPath;
using Xinfra.Northguard.Metadata.Model;

/// <summary>
/// Consume passthrough A/B (<c>dotnet run -c Release -- [seconds] [group-commit-ms] consume</c>): one 3-broker RF=3
/// cluster per record size, filled once, then the whole topic read alternately with stored batches (passthrough) and
/// records one by one (the older form), three rounds each, printing records/s, µs CPU/rec and bytes allocated/rec.
/// </summary>
internal static class ConsumeLoad
{
    public static async Task RunAsync(string[] args)
    {
        double seconds = args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 3;
        var root = Directory.CreateTempSubdirectory("ng-consume-").FullName;
        var rows = new List<string>();
        try
        {
            foreach (int size in new[] { 100, 1024 })
            {
                var metadata = new LocalMetadataService();
                var directory = new LocalBrokerDirectory();
                await using var cluster = await NorthguardCluster.StartAsync(new NorthguardClusterOptions
                {
                    Brokers = 3,
                    DataRoot = Path.Combine(root, $"c{size}"),
                    Modules = _ => [new LocalMetadataModule(metadata, directory), new DataPathModule(new DataPathOptions())],
                });
                var description = await metadata.CreateTopicAsync("load", StoragePolicy.Default with { ReplicationFactor = 3 }, 3);
                var options = new NorthguardClientOptions { Endpoints = [.. cluster.Brokers.Select(b => b.Endpoint)], Linger = TimeSpan.FromMilliseconds(1), BatchMaxBytes = 128 << 10 };
                long total = await FillAsync(options, size, TimeSpan.FromSeconds(seconds));
                var ranges = description.Ranges.Select(r => r.Id.Value).ToArray();
                for (int round = 0; round < 3; round++)
                {
                    foreach (bool batches in new[] { true, false })
                    {
                        var (rate, cpu, allocated) = await ConsumeAllAsync(options, ranges, total, batches);
                        rows.Add($"| {size} B, {(batches ? "stored batches" : "per record")}, round {round + 1} | {total:N0} | {rate:N0} rec/s | {cpu:F2} µs | {allocated:F0} B |");
                    }
                }
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
            Console.WriteLine($"Northguard consume passthrough A/B, RF=3, 3 brokers, 3 ranges, {Environment.ProcessorCount} cores");
            Console.WriteLine("| form | records | consume rate | CPU/rec | allocated/rec |");
            Console.WriteLine("|---|---|---|---|---|");
            rows.ForEach(Console.WriteLine);
        }
    }

    private static async Task<long> FillAsync(NorthguardClientOptions options, int size, TimeSpan duration)
    {
        await using var producer = new NorthguardProducerClient(options);
        var value = new byte[size - 8];
        var keys = Enumerable.Range(0, 64).Select(i => BitConverter.GetBytes((long)i * 7919)).ToArray();
        using var inFlight = new SemaphoreSlim(20_000);
        long sent = 0;
        long failed = 0;
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < duration)
        {
            await inFlight.WaitAsync();
            producer.Produce("load", new NorthguardRecord(keys[sent++ % keys.Length], value), (_, error) =>
            {
                if (error is not null)
                {
                    Interlocked.Increment(ref failed);
                }

                inFlight.Release();
            });
        }

        for (int i = 0; i < 20_000; i++)
        {
            await inFlight.WaitAsync();
        }

        return failed == 0 ? sent : throw new InvalidOperationException($"{failed} of {sent} records were not acknowledged.");
    }

    private static async Task<(double Rate, double CpuMicros, double AllocatedBytes)> ConsumeAllAsync(NorthguardClientOptions options, ulong[] ranges, long total, bool batches)
    {
        await using var consumer = new NorthguardConsumerClient(options) { AcceptStoredBatches = batches };
        long count = 0;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        long allocated = GC.GetTotalAllocatedBytes(precise: false);
        var stopwatch = Stopwatch.StartNew();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await Task.WhenAll(ranges.Select(range => Task.Run(async () =>
        {
            try
            {
                await foreach (var _ in consumer.ConsumeRangeAsync("load", range, 0, cts.Token))
                {
                    if (Interlocked.Increment(ref count) >= total)
                    {
                        await cts.CancelAsync();
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        })));
        double elapsed = stopwatch.Elapsed.TotalSeconds;
        long read = Interlocked.Read(ref count);
        if (read < total)
        {
            throw new InvalidOperationException($"Read {read} of {total} records in 120 s.");
        }

        return (read / elapsed, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / read, (GC.GetTotalAllocatedBytes(precise: false) - allocated) / (double)read);
    }
}
