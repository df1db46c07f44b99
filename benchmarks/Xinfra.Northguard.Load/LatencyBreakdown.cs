using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Xinfra.Northguard.Client;
using Xinfra.Northguard.Cluster;
using Xinfra.Northguard.DataPath;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Storage;

/// <summary>
/// Where the RF=3 produce latency goes: 3 brokers in-process, the maximum <c>ProduceAsync</c> rate is measured, then
/// records are produced at half of it while a <see cref="MeterListener"/> collects every stage measurement the client
/// and the brokers publish (client linger, send queue, stream write, round trip, ack-to-continuation; leader WAL
/// durable, all replicas durable; WAL and segment fsyncs) and a dedicated thread samples the thread pool's queue, its
/// thread count, GC pauses and its own wake-up lateness every 5 ms. Usage:
/// <c>dotnet run -c Release -- [seconds] [group-commit-ms] latency [size ...] [rate=records-per-second]</c> (a fixed
/// rate instead of half the measured maximum, to compare two versions at the same offered load).
/// </summary>
internal static class LatencyBreakdown
{
    private const string Meter = "Xinfra.Northguard";

    public static async Task RunAsync(string[] args)
    {
        double seconds = double.Parse(args[0], CultureInfo.InvariantCulture);
        Load.StoreOptions = FpsStoreOptions.Default with { GroupCommitWindow = TimeSpan.FromMilliseconds(double.Parse(args[1], CultureInfo.InvariantCulture)) };
        var rest = args.Skip(3).ToList();
        string? fixedRate = rest.Find(a => a.StartsWith("rate=", StringComparison.Ordinal));
        rest.Remove(fixedRate!);
        double? rate = fixedRate is null ? null : double.Parse(fixedRate["rate=".Length..], CultureInfo.InvariantCulture);
        int[] sizes = rest.Count > 0 ? [.. rest.Select(a => int.Parse(a, CultureInfo.InvariantCulture))] : [100, 1024];
        var root = Directory.CreateTempSubdirectory("ng-load-lat-").FullName;
        try
        {
            foreach (int size in sizes)
            {
                await RunOneAsync(Path.Combine(root, $"rf3-{size}"), size, TimeSpan.FromSeconds(seconds), rate);
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task RunOneAsync(string dir, int size, TimeSpan duration, double? fixedRate)
    {
        var metadata = new LocalMetadataService();
        var directory = new LocalBrokerDirectory();
        await using var cluster = await NorthguardCluster.StartAsync(new NorthguardClusterOptions
        {
            Brokers = 3,
            DataRoot = dir,
            Modules = _ => [new LocalMetadataModule(metadata, directory), new DataPathModule(new DataPathOptions { Store = Load.StoreOptions })],
        });
        await metadata.CreateTopicAsync("load", StoragePolicy.Default with { ReplicationFactor = 3 }, 3);
        var options = new NorthguardClientOptions { Endpoints = [.. cluster.Brokers.Select(b => b.Endpoint)], Linger = TimeSpan.FromMilliseconds(1), BatchMaxBytes = 128 << 10 };
        await using var producer = new NorthguardProducerClient(options);
        var value = new byte[size - 8];
        var keys = Enumerable.Range(0, 64).Select(i => BitConverter.GetBytes((long)i * 7919)).ToArray();
        await Task.WhenAll(keys.Select(k => producer.ProduceAsync("load", new NorthguardRecord(k, value)).AsTask()));

        using var allocations = new AllocationSampler();
        allocations.Start();
        long allocated = GC.GetTotalAllocatedBytes();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var (max, count) = await MaxRateAsync(producer, keys, value, duration);
        double maxCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / count;
        double maxAllocated = (double)(GC.GetTotalAllocatedBytes() - allocated) / count;
        allocations.Stop();
        using var stages = new StageListener();
        using var sampler = new RuntimeSampler();
        double rate = fixedRate ?? max / 2;
        var (endToEnd, cpuPerRecord) = await FixedRateAsync(producer, keys, value, rate, duration);
        sampler.Stop();
        stages.Stop();

        Console.WriteLine($"RF=3, {size} B: max {max:N0} rec/s (ProduceAsync, 20 000 in flight, awaited; {maxCpu:F2} µs CPU/rec, {maxAllocated:F0} B allocated/rec, whole process); latency phase at {rate:N0} rec/s ({(fixedRate is null ? "50 % of max" : "fixed")}) for {duration.TotalSeconds} s, {cpuPerRecord:F2} µs CPU/rec");
        Console.WriteLine("| stage (percentiles per record) | measurements | records | p50 ms | p90 ms | p99 ms | p999 ms | max ms |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        Row("end to end (per record)", endToEnd);
        foreach (var (name, values) in stages.Results())
        {
            Row(name, values);
        }

        Console.WriteLine();
        Console.WriteLine("| runtime, sampled every 5 ms | p50 | p99 | max |");
        Console.WriteLine("|---|---|---|---|");
        sampler.Print();
        Console.WriteLine();
        Console.WriteLine($"Allocations during the max-rate phase ({count:N0} records):");
        allocations.Print(count);
        Console.WriteLine();
    }

    private static void Row(string name, double[] values) => Row(name, [.. values.Select(v => (v, 1))]);

    /// <summary>Percentiles per record: a batch measurement counts once for each record it carried.</summary>
    private static void Row(string name, (double Value, int Weight)[] values)
    {
        Array.Sort(values, (a, b) => a.Value.CompareTo(b.Value));
        long total = values.Sum(v => (long)v.Weight);
        Console.WriteLine($"| {name} | {values.Length:N0} | {total:N0} | {W(0.5):F2} | {W(0.9):F2} | {W(0.99):F2} | {W(0.999):F2} | {(values.Length == 0 ? 0 : values[^1].Value):F2} |");

        double W(double p)
        {
            long seen = 0;
            foreach (var (value, weight) in values)
            {
                seen += weight;
                if (seen > p * total)
                {
                    return value;
                }
            }

            return 0;
        }
    }

    internal static double P(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

    private static async Task<(double Rate, long Count)> MaxRateAsync(NorthguardProducerClient producer, byte[][] keys, byte[] value, TimeSpan duration)
    {
        using var inFlight = new SemaphoreSlim(20_000);
        long count = 0;
        long next = 0;
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < duration)
        {
            await inFlight.WaitAsync();
            _ = Completed(producer.ProduceAsync("load", new NorthguardRecord(keys[next++ % keys.Length], value)));
        }

        double rate = Interlocked.Read(ref count) / stopwatch.Elapsed.TotalSeconds;
        for (int i = 0; i < 20_000; i++)
        {
            await inFlight.WaitAsync();
        }

        return (rate, next);

        async Task Completed(ValueTask<NorthguardReceipt> produce)
        {
            await produce;
            Interlocked.Increment(ref count);
            inFlight.Release();
        }
    }

    /// <summary>
    /// Produces at <paramref name="rate"/> records/s for <paramref name="duration"/> and returns each record's latency.
    /// One slot per record, filled by the record's continuation: no task per record is kept alive (an earlier version
    /// held every record's Task until the end, ~200 MB at 100 B, whose GC pauses it then measured).
    /// </summary>
    internal static async Task<(double[] Latencies, double CpuPerRecord)> FixedRateAsync(NorthguardProducerClient producer, byte[][] keys, byte[] value, double rate, TimeSpan duration)
    {
        var latencies = new double[(long)(rate * duration.TotalSeconds * 1.5) + 1024];
        long done = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        long sent = 0;
        while (stopwatch.Elapsed < duration)
        {
            long due = Math.Min((long)(stopwatch.Elapsed.TotalSeconds * rate), latencies.Length);
            for (; sent < due; sent++)
            {
                _ = Timed(Stopwatch.GetTimestamp(), producer.ProduceAsync("load", new NorthguardRecord(keys[sent % keys.Length], value)), sent);
            }

            await Task.Delay(1);
        }

        if (Interlocked.Add(ref done, latencies.Length - sent) != latencies.Length)
        {
            await all.Task;
        }

        double cpuPerRecord = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / sent;
        return (latencies.AsSpan(0, (int)sent).ToArray(), cpuPerRecord);

        async Task Timed(long started, ValueTask<NorthguardReceipt> produce, long slot)
        {
            await produce;
            latencies[slot] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (Interlocked.Increment(ref done) == latencies.Length)
            {
                all.TrySetResult();
            }
        }
    }

    /// <summary>Collects every measurement of the Northguard histograms (raw values, not buckets) while it lives.</summary>
    private sealed class StageListener : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentDictionary<string, List<(double Value, int Weight)>> _values = new();

        public StageListener()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == Meter && instrument is Histogram<double>)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
            {
                string name = instrument.Name.Replace("xinfra.northguard.", string.Empty, StringComparison.Ordinal);
                int weight = 1;
                foreach (var tag in tags)
                {
                    if (tag is { Key: "records", Value: int records })
                    {
                        weight = records;
                    }
                    else
                    {
                        name += $" ({tag.Key}={tag.Value})";
                    }
                }

                var list = _values.GetOrAdd(name, _ => []);
                lock (list)
                {
                    list.Add((value, weight));
                }
            });
            _listener.Start();
        }

        public void Stop() => _listener.Dispose();

        public IEnumerable<(string Name, (double Value, int Weight)[] Values)> Results()
        {
            foreach (var (name, list) in _values.OrderBy(p => Order(p.Key)).ThenBy(p => p.Key, StringComparer.Ordinal))
            {
                lock (list)
                {
                    yield return (name, [.. list]);
                }
            }
        }

        private static int Order(string name) => name.StartsWith("client.produce.linger", StringComparison.Ordinal) ? 0
            : name.StartsWith("client.produce.queued", StringComparison.Ordinal) ? 1
            : name.StartsWith("client.produce.write", StringComparison.Ordinal) ? 2
            : name.StartsWith("client.produce.round_trip", StringComparison.Ordinal) ? 3
            : name.StartsWith("produce.leader.local", StringComparison.Ordinal) ? 4
            : name.StartsWith("produce.follower.durable", StringComparison.Ordinal) ? 5
            : name.StartsWith("produce.follower.reported", StringComparison.Ordinal) ? 6
            : name.StartsWith("produce.leader.committed", StringComparison.Ordinal) ? 7
            : name.StartsWith("client.produce.completion", StringComparison.Ordinal) ? 8
            : 9;

        public void Dispose() => _listener.Dispose();
    }

    /// <summary>
    /// A dedicated thread (not a pool thread, so a starved pool does not stop it) sampling every 5 ms: the pool's
    /// queued work items and threads, GC pause time since the last sample, and how late the sampler itself woke up
    /// (CPU saturation: every runnable thread on the 2 cores delays it).
    /// </summary>
    private sealed class RuntimeSampler : IDisposable
    {
        private readonly List<(double Pending, double Threads, double GcPauseMs, double LateMs)> _samples = [];
        private readonly Thread _thread;
        private volatile bool _stop;
        private int _gcCount;

        public RuntimeSampler()
        {
            _gcCount = GC.CollectionCount(0);
            _thread = new Thread(Run) { IsBackground = true, Name = "latency sampler" };
            _thread.Start();
        }

        private void Run()
        {
            var pause = GC.GetTotalPauseDuration();
            while (!_stop)
            {
                long before = Stopwatch.GetTimestamp();
                Thread.Sleep(5);
                double late = Stopwatch.GetElapsedTime(before).TotalMilliseconds - 5;
                var now = GC.GetTotalPauseDuration();
                lock (_samples)
                {
                    _samples.Add((ThreadPool.PendingWorkItemCount, ThreadPool.ThreadCount, (now - pause).TotalMilliseconds, Math.Max(0, late)));
                }

                pause = now;
            }
        }

        public void Stop()
        {
            _stop = true;
            _thread.Join();
            _gcCount = GC.CollectionCount(0) - _gcCount;
        }

        public void Print()
        {
            Line("thread pool queued work items", s => s.Pending, "F0");
            Line("thread pool threads", s => s.Threads, "F0");
            Line("GC pause per 5 ms window (ms)", s => s.GcPauseMs, "F2");
            Line("sampler wake-up lateness (ms)", s => s.LateMs, "F2");
            Console.WriteLine($"GC: {_gcCount} gen0+ collections, {_samples.Sum(s => s.GcPauseMs):F0} ms paused in {_samples.Count * 5 / 1000.0:F1} s");
        }

        private void Line(string name, Func<(double Pending, double Threads, double GcPauseMs, double LateMs), double> pick, string format)
        {
            var values = _samples.Select(pick).Order().ToArray();
            Console.WriteLine($"| {name} | {P(values, 0.5).ToString(format, CultureInfo.InvariantCulture)} | {P(values, 0.99).ToString(format, CultureInfo.InvariantCulture)} | {(values.Length == 0 ? 0 : values[^1]).ToString(format, CultureInfo.InvariantCulture)} |");
        }

        public void Dispose() => _stop = true;
    }
}
