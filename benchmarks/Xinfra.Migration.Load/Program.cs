using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xinfra;
using Xinfra.Kafka.Testing;
using Xinfra.Northguard.Cluster;
using Xinfra.Routing;

// Migration load: produce throughput and latency of one logical topic in SourceOnly (Kafka, librdkafka's mock
// cluster), TargetOnly (an embedded 3-broker Northguard cluster, RF=3, fsync acks) and DualWrite (both, source then
// target, acked by both), DualWrite with DualWriteAck Primary (acked by the source and the local outbox; the outbox
// replays to the target, and the time to drain it counts), in one run, with the process CPU per phase; then the time
// from a phase flip to a running consumer reading the new epoch ("noflips" as 4th argument skips that part).
// Usage: dotnet run -c Release --project benchmarks/Xinfra.Migration.Load -- [seconds per phase] [in-flight] [value bytes] [noflips]
var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
var inFlight = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 64;
var valueBytes = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 100;
var flipsToo = !(args.Length > 3 && args[3] == "noflips");
var outboxDir = Path.Combine(Path.GetTempPath(), $"xinfra-load-outbox-{Guid.NewGuid():N}");

using var kafka = KafkaMockCluster.Start(brokers: 3);
await using var northguard = await NorthguardCluster.StartEmbeddedAsync(brokers: 3);
var topic = $"load-{Guid.NewGuid():N}"[..16];

var ack = "Both";
string Json(string phase, string flipPhase = "DualWriteReadSource") => $$"""
    { "Xinfra": { "ApplicationId": "migration-load",
      "Clusters": {
        "kafka": { "Kind": "Kafka", "Bootstrap": "{{kafka.BootstrapServers}}", "DefaultPartitions": 4, "Settings": { "session.timeout.ms": "{{Environment.GetEnvironmentVariable("XINFRA_LOAD_KAFKA_SESSION_MS") ?? "45000"}}" } },
        "ng": { "Kind": "Northguard", "Bootstrap": "{{northguard.Bootstrap}}", "DefaultPartitions": 4 } },
      "Topics": {
        "orders": { "Epochs": [ { "Cluster": "kafka", "Topic": "{{topic}}" }, { "Cluster": "ng", "Topic": "{{topic}}" } ], "Phase": "{{phase}}", "DualWriteAck": "{{ack}}", "OutboxPath": "{{outboxDir}}" },
        "flips": { "Epochs": [ { "Cluster": "kafka", "Topic": "{{topic}}-f" }, { "Cluster": "ng", "Topic": "{{topic}}-f" } ], "Phase": "{{flipPhase}}" } } } }
    """;
XinfraOptions Options(string phase, string flipPhase = "DualWriteReadSource")
{
    var options = new XinfraOptions();
    new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(Json(phase, flipPhase)))).Build().GetSection("Xinfra").Bind(options);
    return options;
}

var services = new ServiceCollection();
if (Environment.GetEnvironmentVariable("XINFRA_LOAD_LOG") == "1")
{
    // What the clients do during the flips, with timestamps (for profiling the flip time).
    services.AddLogging(l => l.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; })
        .AddFilter("Xinfra", Microsoft.Extensions.Logging.LogLevel.Information).AddFilter("Grpc", Microsoft.Extensions.Logging.LogLevel.Warning));
}

services.AddXinfra(new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(Json("SourceOnly")))).Build().GetSection("Xinfra"))
    .AddKafka().AddNorthguard();
await using var provider = services.BuildServiceProvider();
var xinfra = provider.GetRequiredService<IXinfraClient>();
var monitor = provider.GetRequiredService<XinfraConfigurationMonitor>();
await using var producer = xinfra.CreateProducer<string, byte[]>("orders");
var value = new byte[valueBytes];

async Task<(double PerSecond, double P50, double P99)> RunAsync(string label)
{
    await producer.ProduceAsync("warm", value); // creates topics, opens streams
    var latencies = new List<double>();
    var cpuBefore = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
    var stop = Stopwatch.StartNew();
    var count = 0L;
    async Task WorkerAsync(int id)
    {
        var mine = new List<double>();
        for (var i = 0; stop.Elapsed.TotalSeconds < seconds; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await producer.ProduceAsync($"k{id}-{i % 16}", value);
            mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        lock (latencies)
        {
            latencies.AddRange(mine);
            count += mine.Count;
        }
    }

    await Task.WhenAll(Enumerable.Range(0, inFlight).Select(i => Task.Run(() => WorkerAsync(i))));
    var acked = stop.Elapsed;
    var drain = TimeSpan.Zero;
    if (ack == "Primary")
    {
        // The records are not migrated until the outbox has replayed them to the target: that time counts.
        while (OutboxDepth() > 0)
        {
            await Task.Delay(10);
        }

        drain = stop.Elapsed - acked;
    }

    var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
    latencies.Sort();
    var result = (count / stop.Elapsed.TotalSeconds, latencies[latencies.Count / 2], latencies[(int)(latencies.Count * 0.99)]);
    Console.WriteLine($"| {label,-28} | {result.Item1,12:N0} | {count / acked.TotalSeconds,12:N0} | {drain.TotalSeconds,6:F1} | {result.Item2,9:F2} | {result.Item3,9:F2} | {cpu.TotalSeconds / stop.Elapsed.TotalSeconds * 100,5:F0}% |");
    return result;
}

Console.WriteLine($"{seconds} s per phase, {inFlight} produces in flight, {valueBytes} B values, {Environment.ProcessorCount} cores");
Console.WriteLine("| phase                        |  records/s   | acked/s      | drain s | p50 ms    |  p99 ms   |  CPU   |");
Console.WriteLine("|------------------------------|--------------|--------------|--------|-----------|-----------|-------|");
var kafkaOnly = await RunAsync("SourceOnly (Kafka mock)");
Apply("DualWriteReadSource");
var dual = await RunAsync("DualWrite Both (Kafka, NG)");
ack = "Primary";
Apply("DualWriteReadSource");
var primary = await RunAsync("DualWrite Primary (outbox)");
ack = "Both";
Apply("DualWriteReadSource");
Apply("DualWriteReadTarget");
Apply("TargetOnly");
var ngOnly = await RunAsync("TargetOnly (Northguard RF=3)");
var slower = Math.Min(kafkaOnly.PerSecond, ngOnly.PerSecond);
Console.WriteLine($"dual-write throughput / slower single cluster: Both {dual.PerSecond / slower:P0}, Primary (drain included) {primary.PerSecond / slower:P0}");
if (!flipsToo)
{
    await provider.DisposeAsync();
    Directory.Delete(outboxDir, recursive: true);
    return;
}

// Flip latency, on a topic dual-written from its start: a consumer reads while a producer writes; flip the read
// epoch and time the first record from the new one.
await using var flipProducer = xinfra.CreateProducer<string, byte[]>("flips");
await using var consumer = xinfra.CreateConsumer<string, byte[]>("flips", new ConsumerOptions<string, byte[]> { GroupId = "flip-" + topic, CutoverQuietPeriod = TimeSpan.FromSeconds(2) });
using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
var background = Task.Run(async () =>
{
    while (!cts.IsCancellationRequested)
    {
        await flipProducer.ProduceAsync("flip", value);
        await Task.Delay(2);
    }
});
var flippedAt = 0L;
var flips = new List<double>();
await foreach (var record in consumer.ConsumeAsync(cts.Token))
{
    var wanted = monitor.Current.Route("flips").ReadFrom.Cluster;
    if (flippedAt != 0 && record.Cluster == wanted)
    {
        flips.Add(Stopwatch.GetElapsedTime(flippedAt).TotalMilliseconds);
        flippedAt = 0;
        if (flips.Count == 4)
        {
            break;
        }
    }

    if (flippedAt == 0 && record.Cluster == wanted)
    {
        Apply("TargetOnly", wanted == "kafka" ? "DualWriteReadTarget" : "DualWriteReadSource");
        flippedAt = Stopwatch.GetTimestamp();
    }
}

await cts.CancelAsync();
await background.ContinueWith(_ => { }, TaskScheduler.Default);
Console.WriteLine($"config flip to first record from the new epoch (ms, 4 flips alternating): {string.Join(", ", flips.Select(f => f.ToString("F0", CultureInfo.InvariantCulture)))}");

await provider.DisposeAsync();
Directory.Delete(outboxDir, recursive: true);

long OutboxDepth()
{
    long depth = 0;
    using var listener = new System.Diagnostics.Metrics.MeterListener();
    listener.InstrumentPublished = (instrument, l) =>
    {
        if (instrument.Name == "xinfra.dualwrite.outbox.depth")
        {
            l.EnableMeasurementEvents(instrument);
        }
    };
    listener.SetMeasurementEventCallback<long>((_, v, _, _) => depth += v);
    listener.Start();
    listener.RecordObservableInstruments();
    return depth;
}

void Apply(string phase, string flipPhase = "DualWriteReadSource")
{
    if (!monitor.TryApply(Options(phase, flipPhase), out var errors))
    {
        throw new InvalidOperationException(errors);
    }
}
