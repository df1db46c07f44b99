using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Xinfra.Northguard.Storage;
using Xinfra.Northguard.Storage.Devices;
using Xinfra.Northguard.Storage.Index;

namespace Xinfra.Benchmarks;

/// <summary>
/// Plain console comparison for docs/benchmarks.md: fps-store append throughput and append-to-durable latency with
/// durability on, next to a plain write+fdatasync loop of the same batch size on the same disk; then a sealed-segment
/// read against <c>cat file &gt; /dev/null</c>.
/// </summary>
internal static partial class StorageLoad
{
    private static readonly int Producers = int.TryParse(Environment.GetEnvironmentVariable("XINFRA_BENCH_PRODUCERS"), out var p) ? p : 16;
    private const int Segments = 4;
    private const int Rounds = 3;

    public static async Task RunAsync(string root, TimeSpan duration, TimeSpan window)
    {
        Directory.CreateDirectory(root);
        try
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fps-store load: {Environment.ProcessorCount} cores, {Producers} producers, {Rounds} x {duration.TotalSeconds} s per size (medians), group-commit window {window.TotalMilliseconds} ms, dir {root}"));
            Console.WriteLine("| record | store MB/s | store rec/s | WAL MB/s | avg group | limit MB/s | store/limit | p50 ms | p99 ms | fsync p50 ms | fsync p99 ms | p99 ratio |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
            foreach (var size in new[] { 100, 1024, 16384 })
            {
                // Alternate store and limit runs and keep medians: a shared VM disk drifts a lot between runs.
                var stores = new List<StoreResult>();
                var limits = new List<LimitResult>();
                for (var round = 0; round < Rounds; round++)
                {
                    var store = await RunStoreAsync(Path.Combine(root, $"store-{size}-{round}"), size, duration, window);
                    stores.Add(store);
                    limits.Add(RunLimit(Path.Combine(root, $"limit-{size}.bin"), (int)store.AverageGroupBytes, duration));
                }

                var s = new StoreResult(
                    Median(stores, r => r.PayloadMBps), Median(stores, r => r.RecordsPerSecond), Median(stores, r => r.WalMBps),
                    Median(stores, r => r.AverageGroupBytes), Median(stores, r => r.P50), Median(stores, r => r.P99));
                var l = new LimitResult(Median(limits, r => r.MBps), Median(limits, r => r.P50), Median(limits, r => r.P99));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {size} B | {s.PayloadMBps:F1} | {s.RecordsPerSecond:F0} | {s.WalMBps:F1} | {s.AverageGroupBytes / 1024:F0} KiB | {l.MBps:F1} | {s.WalMBps / l.MBps:P0} | {s.P50:F2} | {s.P99:F2} | {l.P50:F2} | {l.P99:F2} | {s.P99 / l.P99:F2}x |"));
            }

            await RunReadAsync(Path.Combine(root, "read"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<StoreResult> RunStoreAsync(string directory, int recordSize, TimeSpan duration, TimeSpan window)
    {
        long walBytes = 0, commits = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Xinfra.Northguard" && instrument.Name is "xinfra.northguard.storage.wal.bytes" or "xinfra.northguard.storage.wal.group_commits")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name.EndsWith("bytes", StringComparison.Ordinal))
            {
                Interlocked.Add(ref walBytes, value);
            }
            else
            {
                Interlocked.Add(ref commits, value);
            }
        });
        listener.Start();

        using var device = new FileStorageDevice(Path.Combine(directory, "data"), Environment.GetEnvironmentVariable("XINFRA_BENCH_BUFFERED") != "1");
        using var index = new RocksDbSparseIndex(Path.Combine(directory, "index"));
        var store = await FpsStore.OpenAsync(device, index, FpsStoreOptions.Default with { WalCheckpointBytes = 256L << 20, GroupCommitWindow = window });
        await using var _ = store;
        for (var s = 0; s < Segments; s++)
        {
            store.CreateSegment(s, "bench", 0);
        }

        var perAppend = Math.Max(1, 16384 / recordSize);
        var records = Enumerable.Range(0, perAppend).Select(i => new LogRecord(BitConverter.GetBytes((long)i), new byte[recordSize], 0)).ToArray();
        var latencies = new List<double>[Producers];
        long appendedRecords = 0;
        var stopwatch = Stopwatch.StartNew();
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var startBytes = Interlocked.Read(ref walBytes);
        await Task.WhenAll(Enumerable.Range(0, Producers).Select(p => Task.Run(async () =>
        {
            var mine = latencies[p] = new List<double>(100_000);
            while (Stopwatch.GetTimestamp() < deadline)
            {
                var started = Stopwatch.GetTimestamp();
                var result = store.Append(p % Segments, records);
                await store.WaitForDurableAsync(p % Segments, result.LastOffset);
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                Interlocked.Add(ref appendedRecords, perAppend);
            }
        })));
        var seconds = stopwatch.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        var wal = Interlocked.Read(ref walBytes) - startBytes;
        return new StoreResult(
            appendedRecords * (double)recordSize / seconds / 1e6,
            appendedRecords / seconds,
            wal / seconds / 1e6,
            wal / (double)Math.Max(1, Interlocked.Read(ref commits)),
            Percentile(all, 0.50),
            Percentile(all, 0.99));
    }

    private static double Median<T>(List<T> runs, Func<T, double> metric) => runs.Select(metric).Order().ElementAt(runs.Count / 2);

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

    private sealed record StoreResult(double PayloadMBps, double RecordsPerSecond, double WalMBps, double AverageGroupBytes, double P50, double P99);

    private sealed record LimitResult(double MBps, double P50, double P99);
}
