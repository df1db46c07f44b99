using System.Diagnostics;
using System.Globalization;
using Xinfra.Northguard.Client;
using Xinfra.Northguard.Cluster;
using Xinfra.Northguard.DataPath;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Storage;
using System.Runtime.InteropServices;
using Xinfra.Northguard.Storage.Devices;
using Xinfra.Northguard.Storage.Index;

// Northguard data path load: disk limit, fps-store alone, fps-store alone x3 (three stores, each appending every
// record: the storage work of RF=3 on this one machine), one broker RF=1, three brokers RF=3 (fsync acks on every
// replica), latency at 50% of the RF=3 maximum, and consume throughput. Usage: dotnet run -c Release [seconds]
// [group-commit-ms] [security | latency | consume | only <scenario> <size>]: with "security", only RF=3 produce throughput and
// latency with security off, with tokens + ACLs enforced (plaintext), and with TLS + tokens + ACLs; with "latency",
// the per-stage produce latency breakdown (LatencyBreakdown.cs); with "consume", stored batches vs per-record consume
// on the same data (ConsumeLoad.cs); with "only", one throughput scenario (store, store3,
// rf1, rf3, rf3cb) at one record size, e.g. to profile it or compare CPU/rec quickly.
if (args.Length > 2 && args[2] == "latency")
{
    await LatencyBreakdown.RunAsync(args);
    return;
}

if (args.Length > 2 && args[2] == "security")
{
    await SecurityLoad.RunAsync(args);
    return;
}

double seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 3;
var duration = TimeSpan.FromSeconds(seconds);
Load.StoreOptions = FpsStoreOptions.Default with { GroupCommitWindow = TimeSpan.FromMilliseconds(args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 0) };
if (args.Length > 2 && args[2] == "consume")
{
    await ConsumeLoad.RunAsync(args); // consume passthrough A/B: stored batches vs records one by one
    return;
}

var root = Directory.CreateTempSubdirectory("ng-load-").FullName;
var rows = new List<string>();
try
{
    if (args.Length > 3 && args[2] == "only")
    {
        rows.Add(await Load.OnlyAsync(root, args[3], args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 1024, duration));
        return;
    }

    var (fsyncMbps, fsyncP50) = Load.DiskLimit(Path.Combine(root, "disk.bin"), 64 << 10, duration);
    rows.Add($"| disk write+fdatasync (64 KiB) | | {fsyncMbps:F1} MB/s | fsync p50 {fsyncP50:F2} ms |");
    foreach (int size in new[] { 100, 1024 })
    {
        var store = await Load.StoreAloneAsync(Path.Combine(root, $"store-{size}"), size, duration);
        rows.Add($"| fps-store alone, {size} B | {store.Rate:N0} rec/s | {store.Rate * size / 1e6:F1} MB/s | {Load.CpuPerRecord:F2} µs CPU/rec |");
        var store3 = await Load.StoreAloneX3Async(Path.Combine(root, $"store3-{size}"), size, duration);
        rows.Add($"| fps-store alone x3 (3 stores, every record in each), {size} B | {store3.Rate:N0} rec/s | {store3.Rate * size / 1e6:F1} MB/s | {Load.CpuPerRecord:F2} µs CPU/rec |");
        var rf1 = await Load.ClusterAsync(Path.Combine(root, $"rf1-{size}"), brokers: 1, rf: 1, size, duration, measureLatency: false);
        rows.Add($"| 1 broker RF=1, {size} B | {rf1.Rate:N0} rec/s | {rf1.Rate * size / 1e6:F1} MB/s | {Load.CpuPerRecord:F2} µs CPU/rec |");
        var rf3 = await Load.ClusterAsync(Path.Combine(root, $"rf3-{size}"), brokers: 3, rf: 3, size, duration, measureLatency: true);
        rows.Add($"| 3 brokers RF=3, {size} B | {rf3.Rate:N0} rec/s | {rf3.Rate * size / 1e6:F1} MB/s | {rf3.Rate / store.Rate:P0} of store alone, {rf3.Rate / store3.Rate:P0} of store x3; {Load.CpuPerRecord:F2} µs CPU/rec, {Load.Allocation.BytesPerRecord:F0} B allocated/rec |");
        var rf3Callbacks = await Load.ClusterAsync(Path.Combine(root, $"rf3cb-{size}"), brokers: 3, rf: 3, size, duration, measureLatency: false, callbacks: true);
        rows.Add($"| 3 brokers RF=3, {size} B, Produce + delivery callback | {rf3Callbacks.Rate:N0} rec/s | {rf3Callbacks.Rate * size / 1e6:F1} MB/s | {rf3Callbacks.Rate / store.Rate:P0} of store alone, {rf3Callbacks.Rate / store3.Rate:P0} of store x3; {Load.CpuPerRecord:F2} µs CPU/rec, {Load.Allocation.BytesPerRecord:F0} B allocated/rec |");
        rows.Add($"| RF=3 latency at 50% ({rf3.Rate / 2:N0} rec/s), {size} B | | | p50 {rf3.P50:F2} / p99 {rf3.P99:F2} / p999 {rf3.P999:F2} ms ({rf3.P99 / fsyncP50:F1}x fsync p50; GC paused {Load.LatencyGcPauseMs:F0} ms, {Load.LatencyGcCount} GCs) |");
        rows.Add($"| RF=3 consume, {size} B | {rf3.ConsumeRate:N0} rec/s | {rf3.ConsumeRate * size / 1e6:F1} MB/s | |");
    }
}
finally
{
    Directory.Delete(root, recursive: true);
    Console.WriteLine($"Northguard data path, {seconds} s per scenario, group commit window {Load.StoreOptions.GroupCommitWindow.TotalMilliseconds} ms, {Environment.ProcessorCount} cores");
    Console.WriteLine("| scenario | records/s | MB/s | notes |");
    Console.WriteLine("|---|---|---|---|");
    rows.ForEach(Console.WriteLine);
}

internal static class Load
{
    public static FpsStoreOptions StoreOptions { get; set; } = FpsStoreOptions.Default;

    /// <summary>
    /// Process CPU time (all threads: client, brokers, GC) per record in the last throughput phase. Unlike records/s it
    /// barely moves when other processes share the cores, so it compares code versions on a busy machine.
    /// </summary>
    public static double CpuPerRecord { get; private set; }

    /// <summary>Total GC pause time and collections during the last latency phase (what the percentiles include).</summary>
    public static double LatencyGcPauseMs { get; private set; }

    /// <inheritdoc cref="LatencyGcPauseMs"/>
    public static int LatencyGcCount { get; private set; }

    /// <summary>Bytes allocated (all threads) per record and gen-2 collections in the last throughput phase.</summary>
    public static (double BytesPerRecord, int Gen2) Allocation { get; private set; }

    private static long s_allocatedAtStart;
    private static int s_gen2AtStart;

    private static TimeSpan Cpu()
    {
        s_allocatedAtStart = GC.GetTotalAllocatedBytes(precise: false);
        s_gen2AtStart = GC.CollectionCount(2);
        return Process.GetCurrentProcess().TotalProcessorTime;
    }

    /// <summary>Ends a throughput phase started with <see cref="Cpu"/>: CPU and allocation per record.</summary>
    private static void Measured(TimeSpan cpuAtStart, long records)
    {
        CpuPerRecord = (Process.GetCurrentProcess().TotalProcessorTime - cpuAtStart).TotalMicroseconds / records;
        Allocation = ((GC.GetTotalAllocatedBytes(precise: false) - s_allocatedAtStart) / (double)records, GC.CollectionCount(2) - s_gen2AtStart);
    }

    public static (double MBps, double FsyncP50) DiskLimit(string path, int batchBytes, TimeSpan duration)
    {
        var batch = new byte[batchBytes];
        var latencies = new List<double>();
        long offset = 0;
        using var handle = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite);
        int fd = (int)handle.DangerousGetHandle();
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < duration)
        {
            long started = Stopwatch.GetTimestamp();
            RandomAccess.Write(handle, batch, offset);
            _ = Native.FDataSync(fd);
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            offset += batch.Length;
        }

        return (offset / stopwatch.Elapsed.TotalSeconds / 1e6, Percentile([.. latencies.Order()], 0.5));
    }

    public static async Task<(double Rate, double P50, double P99, double P999, double ConsumeRate)> StoreAloneAsync(string dir, int size, TimeSpan duration)
    {
        using var device = new FileStorageDevice(Path.Combine(dir, "segments"));
        using var index = new RocksDbSparseIndex(Path.Combine(dir, "index"));
        await using var store = await FpsStore.OpenAsync(device, index, StoreOptions);
        for (int s = 0; s < 3; s++)
        {
            store.CreateSegment(s + 1, "load", 0);
        }

        var records = Enumerable.Range(0, Math.Max(1, (64 << 10) / size)).Select(_ => new LogRecord(new byte[8], new byte[size - 8], 0)).ToArray();
        long count = 0;
        var cpu = Cpu();
        var stopwatch = Stopwatch.StartNew();
        var latencies = new List<double>[48];
        var workers = Enumerable.Range(0, 48).Select(w => Task.Run(async () =>
        {
            var mine = latencies[w] = [];
            while (stopwatch.Elapsed < duration)
            {
                long started = Stopwatch.GetTimestamp();
                await store.AppendAsync((w % 3) + 1, records);
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                Interlocked.Add(ref count, records.Length);
            }
        }));
        await Task.WhenAll(workers);
        Measured(cpu, count);

        // Append → durable (each AppendAsync: one 64 KiB batch appended and its group committed), per append.
        var sorted = latencies.SelectMany(l => l).Order().ToArray();
        return (count / stopwatch.Elapsed.TotalSeconds, Percentile(sorted, 0.5), Percentile(sorted, 0.99), Percentile(sorted, 0.999), 0);
    }

    /// <summary>One throughput scenario alone (for profiling and quick CPU/rec comparisons), as a table row.</summary>
    public static async Task<string> OnlyAsync(string root, string scenario, int size, TimeSpan duration)
    {
        var dir = Path.Combine(root, scenario);
        var (rate, p50, p99, p999, _) = scenario switch
        {
            "store" => await StoreAloneAsync(dir, size, duration),
            "store3" => await StoreAloneX3Async(dir, size, duration),
            "rf1" => await ClusterAsync(dir, brokers: 1, rf: 1, size, duration, measureLatency: false, consume: false),
            "rf3" => await ClusterAsync(dir, brokers: 3, rf: 3, size, duration, measureLatency: false, consume: false),
            "rf3cb" => await ClusterAsync(dir, brokers: 3, rf: 3, size, duration, measureLatency: false, callbacks: true, consume: false),
            _ => throw new ArgumentException($"Unknown scenario '{scenario}': store, store3, rf1, rf3 or rf3cb."),
        };
        var latency = scenario == "store" ? $"; append→durable p50 {p50:F2} / p99 {p99:F2} / p99.9 {p999:F2} ms" : "";
        return $"| {scenario}, {size} B | {rate:N0} rec/s | {rate * size / 1e6:F1} MB/s | {CpuPerRecord:F2} µs CPU/rec; {Allocation.BytesPerRecord:F0} B allocated/rec, {Allocation.Gen2} gen-2 GCs{latency} |";
    }

    /// <summary>
    /// Three separate stores (three directories, like three brokers on this disk and these cores), every record
    /// appended to each and awaited durable in all three: the storage work RF=3 does on this machine, without network.
    /// </summary>
    public static async Task<(double Rate, double P50, double P99, double P999, double ConsumeRate)> StoreAloneX3Async(string dir, int size, TimeSpan duration)
    {
        var stores = new FpsStore[3];
        var disposables = new List<IDisposable>();
        try
        {
            for (int i = 0; i < stores.Length; i++)
            {
                var device = new FileStorageDevice(Path.Combine(dir, $"broker-{i}", "segments"));
                var index = new RocksDbSparseIndex(Path.Combine(dir, $"broker-{i}", "index"));
                disposables.Add(device);
                disposables.Add(index);
                stores[i] = await FpsStore.OpenAsync(device, index, StoreOptions);
                for (int s = 0; s < 3; s++)
                {
                    stores[i].CreateSegment(s + 1, "load", 0);
                }
            }

            var records = Enumerable.Range(0, Math.Max(1, (64 << 10) / size)).Select(_ => new LogRecord(new byte[8], new byte[size - 8], 0)).ToArray();
            long count = 0;
            var cpu = Cpu();
            var stopwatch = Stopwatch.StartNew();
            var workers = Enumerable.Range(0, 48).Select(w => Task.Run(async () =>
            {
                while (stopwatch.Elapsed < duration)
                {
                    var appends = new Task[stores.Length];
                    for (int i = 0; i < stores.Length; i++)
                    {
                        appends[i] = stores[i].AppendAsync((w % 3) + 1, records).AsTask();
                    }

                    await Task.WhenAll(appends);
                    Interlocked.Add(ref count, records.Length);
                }
            }));
            await Task.WhenAll(workers);
            Measured(cpu, count);
            return (count / stopwatch.Elapsed.TotalSeconds, 0, 0, 0, 0);
        }
        finally
        {
            foreach (var store in stores)
            {
                if (store is not null)
                {
                    await store.DisposeAsync();
                }
            }

            disposables.ForEach(d => d.Dispose());
        }
    }

    public static async Task<(double Rate, double P50, double P99, double P999, double ConsumeRate)> ClusterAsync(string dir, int brokers, int rf, int size, TimeSpan duration, bool measureLatency,
        SecurityLoad.Mode security = SecurityLoad.Mode.Off, string? certificates = null, bool callbacks = false, bool consume = true)
    {
        var metadata = new LocalMetadataService();
        var directory = new LocalBrokerDirectory();
        await using var cluster = await NorthguardCluster.StartAsync(new NorthguardClusterOptions
        {
            Brokers = brokers,
            DataRoot = dir,
            Modules = _ => [new LocalMetadataModule(metadata, directory), new DataPathModule(new DataPathOptions { Store = StoreOptions })],
            Security = SecurityLoad.Broker(security, certificates),
        });
        var description = await metadata.CreateTopicAsync("load", StoragePolicy.Default with { ReplicationFactor = rf }, 3);
        var options = new NorthguardClientOptions { Endpoints = [.. cluster.Brokers.Select(b => b.Endpoint)], Linger = TimeSpan.FromMilliseconds(1), BatchMaxBytes = 128 << 10 };
        options = options with { Security = await SecurityLoad.OnboardAsync(security, certificates, options, "load") };
        await using var producer = new NorthguardProducerClient(options);
        var value = new byte[size - 8];
        var keys = Enumerable.Range(0, 64).Select(i => BitConverter.GetBytes((long)i * 7919)).ToArray();

        // Warm up: open the segments.
        await Task.WhenAll(keys.Select(k => producer.ProduceAsync("load", new NorthguardRecord(k, value)).AsTask()));
        long produced = keys.Length;
        long count = 0;
        var cpu = Cpu();
        var stopwatch = Stopwatch.StartNew();
        using var inFlight = new SemaphoreSlim(20_000);
        long next = 0;
        Action<NorthguardReceipt, Xinfra.XinfraException?> delivered = (_, _) =>
        {
            Interlocked.Increment(ref count);
            inFlight.Release();
        };
        while (callbacks && stopwatch.Elapsed < duration)
        {
            // The same load through the callback form (no task per record), as Kafka's perf test uses Produce + handler.
            await inFlight.WaitAsync();
            producer.Produce("load", new NorthguardRecord(keys[next++ % keys.Length], value), delivered);
        }

        while (stopwatch.Elapsed < duration)
        {
            await inFlight.WaitAsync();
            var key = keys[next++ % keys.Length];
            _ = producer.ProduceAsync("load", new NorthguardRecord(key, value)).AsTask().ContinueWith(_ =>
            {
                Interlocked.Increment(ref count);
                inFlight.Release();
            }, TaskScheduler.Default);
        }

        double rate = Interlocked.Read(ref count) / stopwatch.Elapsed.TotalSeconds;
        Measured(cpu, Interlocked.Read(ref count));
        for (int i = 0; i < 20_000; i++)
        {
            await inFlight.WaitAsync();
        }

        produced += next;
        double p50 = 0, p99 = 0, p999 = 0;
        if (measureLatency)
        {
            var pause = GC.GetTotalPauseDuration();
            int collections = GC.CollectionCount(0);
            (p50, p99, p999, long sent) = await LatencyAsync(producer, keys, value, rate / 2, duration);
            LatencyGcPauseMs = (GC.GetTotalPauseDuration() - pause).TotalMilliseconds;
            LatencyGcCount = GC.CollectionCount(0) - collections;
            produced += sent;
        }

        var consumeRate = consume ? await ConsumeAsync(options, description.Ranges.Select(r => r.Id.Value).ToArray(), produced) : 0;
        return (rate, p50, p99, p999, consumeRate);
    }

    private static async Task<(double P50, double P99, double P999, long Sent)> LatencyAsync(NorthguardProducerClient producer, byte[][] keys, byte[] value, double rate, TimeSpan duration)
    {
        // The breakdown mode's fixed-rate loop: one preallocated latency slot per record, filled by its continuation.
        var (latencies, _) = await LatencyBreakdown.FixedRateAsync(producer, keys, value, rate, duration);
        Array.Sort(latencies);
        return (Percentile(latencies, 0.5), Percentile(latencies, 0.99), Percentile(latencies, 0.999), latencies.Length);
    }

    private static async Task<double> ConsumeAsync(NorthguardClientOptions options, ulong[] ranges, long total)
    {
        await using var consumer = new NorthguardConsumerClient(options);
        long count = 0;
        var stopwatch = Stopwatch.StartNew();
        using var cts = new CancellationTokenSource();
        var readers = ranges.Select(range => Task.Run(async () =>
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
        })).ToArray();
        await Task.WhenAny(Task.WhenAll(readers), Task.Delay(TimeSpan.FromSeconds(60)));
        double rate = Interlocked.Read(ref count) / stopwatch.Elapsed.TotalSeconds;
        await cts.CancelAsync();
        await Task.WhenAll(readers);
        return rate;
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
}

internal static partial class Native
{
    [LibraryImport("libc", EntryPoint = "fdatasync")]
    public static partial int FDataSync(int fd);
}
