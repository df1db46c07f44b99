using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xinfra.Client.Tests.Support;
using Xinfra.InMemory;
using Xinfra.Migration;
using Xinfra.Routing;

namespace Xinfra.Client.Tests.Producing;

/// <summary>
/// <c>DualWriteAck: Primary</c>: the producer acks once the source holds the record and the target copy is fsynced in
/// the local outbox; a replayer sends the outbox to the target in order. The target is made to fail with the
/// in-memory cluster's fault injection.
/// </summary>
[Collection(nameof(OutboxTests))]
public sealed class OutboxTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "xinfra-outbox-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private string Json(string phase = "DualWriteReadSource", long maxBytes = 64 * 1024 * 1024, bool force = false) =>
        TestHost.Migrating(phase).Replace(
            "\"Phase\": \"" + phase + "\"",
            $$"""
            "Phase": "{{phase}}", "DualWriteAck": "Primary", "OutboxPath": "{{_dir.Replace("\\", "\\\\", StringComparison.Ordinal)}}", "OutboxMaxBytes": {{maxBytes}}, "ForceCutover": {{(force ? "true" : "false")}}
            """,
            StringComparison.Ordinal);

    private TestHost Host(InMemoryClusters clusters, CapturingLoggerProvider? logs = null) =>
        TestHost.FromJson(Json(), b =>
        {
            b.Services.AddSingleton(clusters);
            if (logs is not null)
            {
                b.Services.AddLogging(l => l.AddProvider(logs));
            }
        });

    private static List<(string Id, string Key, int Value)> OnTarget(InMemoryCluster cluster)
    {
        var records = new List<(string, string, int)>();
        for (var p = 0; p < cluster.PartitionCount("orders.ng"); p++)
        {
            foreach (var record in cluster.ReadAll("orders.ng", p))
            {
                var headers = new XinfraHeaders(record.Headers);
                Assert.True(headers.TryGetString(RecordHeaderNames.MessageId, out var id));
                Assert.True(headers.TryGetString(RecordHeaderNames.SourcePosition, out _));
                records.Add((id!, System.Text.Encoding.UTF8.GetString(record.Key!.Value.Span), int.Parse(System.Text.Encoding.UTF8.GetString(record.Value!.Value.Span), System.Globalization.CultureInfo.InvariantCulture)));
            }
        }

        return records;
    }

    private static void AssertPerKeyOrderAndNoDuplicates(List<(string Id, string Key, int Value)> records, int expected)
    {
        Assert.Equal(expected, records.Select(r => r.Id).Distinct().Count());
        Assert.Equal(expected, records.Count);
        foreach (var key in records.GroupBy(r => r.Key))
        {
            var values = key.Select(r => r.Value).ToList();
            Assert.Equal(values.Order(), values);
        }
    }

    private static long Gauge(string name)
    {
        long value = -1;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == XinfraTelemetry.Name && instrument.Name == name)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, v, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "topic" && (string?)tag.Value == "orders")
                {
                    value = v;
                }
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return value;
    }

    private static async Task ProduceKeyedAsync(IXinfraProducer<string, string> producer, int from, int count)
    {
        for (var i = from; i < from + count; i++)
        {
            var receipt = await producer.ProduceAsync($"k{i % 7}", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal("old", Assert.Single(receipt.Copies).Cluster);
        }
    }

    [Fact]
    public async Task TargetDown_ProducerKeepsAcking_ThenOutboxDrainsInKeyOrder_WithZeroDivergence()
    {
        var clusters = new InMemoryClusters();
        clusters.Get("new-1").FailProduces = true;
        await using var host = Host(clusters);
        await using var producer = host.Client.CreateProducer<string, string>("orders");

        await ProduceKeyedAsync(producer, 0, 150);
        var delivered = 0;
        for (var i = 150; i < 200; i++)
        {
            producer.Produce(new XinfraMessage<string, string> { Key = $"k{i % 7}", Value = i.ToString(System.Globalization.CultureInfo.InvariantCulture) }, r =>
            {
                Assert.True(r.Succeeded, r.Error?.Message);
                Interlocked.Increment(ref delivered);
            });
        }

        await producer.FlushAsync();
        Assert.Equal(50, delivered);
        Assert.Equal(200, Gauge("xinfra.dualwrite.outbox.depth"));
        Assert.True(Gauge("xinfra.dualwrite.outbox.bytes") > 200 * 10);
        Assert.Empty(OnTarget(clusters.Get("new-1")));

        clusters.Get("new-1").FailProduces = false;
        await Eventually.TrueAsync(() => Gauge("xinfra.dualwrite.outbox.depth") == 0, "the outbox drains once the target heals");

        AssertPerKeyOrderAndNoDuplicates(OnTarget(clusters.Get("new-1")), 200);
        Assert.Equal(0, Gauge("xinfra.dualwrite.outbox.bytes"));
        var checker = new DivergenceChecker(host.Configuration, host.Services.GetRequiredService<TransportRegistry>());
        var report = await checker.CheckAsync("orders", DateTimeOffset.UnixEpoch, DateTimeOffset.MaxValue);
        Assert.True(report.IsZero, string.Join("; ", report.Examples));
        Assert.Equal(200, report.Target.Count);
    }

    [Fact]
    public async Task TargetFlapping_WhileReplaying_NeitherReordersNorDuplicates()
    {
        var clusters = new InMemoryClusters();
        await using var host = Host(clusters);
        await using var producer = host.Client.CreateProducer<string, string>("orders");
        using var stop = new CancellationTokenSource();
        var flapper = Task.Run(async () =>
        {
            var target = clusters.Get("new-1");
            while (!stop.IsCancellationRequested)
            {
                target.FailProduces = !target.FailProduces;
                await Task.Delay(3);
            }

            target.FailProduces = false;
        });

        await ProduceKeyedAsync(producer, 0, 400);
        await stop.CancelAsync();
        await flapper;
        await Eventually.TrueAsync(() => Gauge("xinfra.dualwrite.outbox.depth") == 0, "the outbox drains");

        AssertPerKeyOrderAndNoDuplicates(OnTarget(clusters.Get("new-1")), 400);
    }

    [Fact]
    public async Task Restart_ReplaysWhatTheLastProcessLeftInTheOutbox()
    {
        var clusters = new InMemoryClusters();
        clusters.Get("new-1").FailProduces = true;
        await using (var first = Host(clusters))
        {
            await using var producer = first.Client.CreateProducer<string, string>("orders");
            await ProduceKeyedAsync(producer, 0, 60);
        }

        Assert.Empty(OnTarget(clusters.Get("new-1")));
        clusters.Get("new-1").FailProduces = false;

        await using var second = Host(clusters);
        await using var again = second.Client.CreateProducer<string, string>("orders");
        await Eventually.TrueAsync(() => OnTarget(clusters.Get("new-1")).Count >= 60, "the new process replays the outbox");
        await ProduceKeyedAsync(again, 60, 20);
        await Eventually.TrueAsync(() => Gauge("xinfra.dualwrite.outbox.depth") == 0, "the outbox drains");

        AssertPerKeyOrderAndNoDuplicates(OnTarget(clusters.Get("new-1")), 80);
    }

    [Fact]
    public async Task Restart_WithTheAckPolicySwitchedToBoth_StillReplaysTheOutboxLeftBehind()
    {
        var clusters = new InMemoryClusters();
        clusters.Get("new-1").FailProduces = true;
        await using (var first = Host(clusters))
        {
            await using var producer = first.Client.CreateProducer<string, string>("orders");
            await ProduceKeyedAsync(producer, 0, 30);
        }

        clusters.Get("new-1").FailProduces = false;

        // The operator switched the topic to DualWriteAck Both (the OutboxPath stays): the 30 records acknowledged
        // under Primary sit in the outbox only; the new process must still replay them, before its own target writes.
        var both = Json().Replace("\"DualWriteAck\": \"Primary\"", "\"DualWriteAck\": \"Both\"", StringComparison.Ordinal);
        await using var second = TestHost.FromJson(both, b => b.Services.AddSingleton(clusters));
        await using var again = second.Client.CreateProducer<string, string>("orders");
        for (var i = 30; i < 40; i++)
        {
            var receipt = await again.ProduceAsync($"k{i % 7}", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(2, receipt.Copies.Count);
        }

        await Eventually.TrueAsync(() => OnTarget(clusters.Get("new-1")).Count >= 40, "the outbox left behind is replayed");
        AssertPerKeyOrderAndNoDuplicates(OnTarget(clusters.Get("new-1")), 40);
    }

    [Fact]
    public async Task CorruptTail_IsCutWithAWarning_AndEveryAckedEntryBeforeItIsReplayed()
    {
        var clusters = new InMemoryClusters();
        clusters.Get("new-1").FailProduces = true;
        await using (var first = Host(clusters))
        {
            await using var producer = first.Client.CreateProducer<string, string>("orders");
            await ProduceKeyedAsync(producer, 0, 25);
        }

        // A torn write: a length prefix promising more bytes than follow, with a wrong checksum.
        var segment = Directory.GetFiles(Path.Combine(_dir, "orders"), "*.outbox").Order(StringComparer.Ordinal).Last();
        var intact = new FileInfo(segment).Length;
        await using (var file = new FileStream(segment, FileMode.Append))
        {
            file.Write([200, 0, 0, 0, 1, 2, 3, 4, 9, 9, 9]);
        }

        clusters.Get("new-1").FailProduces = false;
        var logs = new CapturingLoggerProvider();
        await using var second = Host(clusters, logs);
        await using var again = second.Client.CreateProducer<string, string>("orders");
        await Eventually.TrueAsync(() => Gauge("xinfra.dualwrite.outbox.depth") == 0, "the outbox drains");

        AssertPerKeyOrderAndNoDuplicates(OnTarget(clusters.Get("new-1")), 25);
        Assert.Contains(logs.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains("corrupt", StringComparison.OrdinalIgnoreCase) && l.Message.Contains($"{intact}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FlipToReadTarget_IsRefusedWhileTheOutboxHoldsRecords_UnlessForced()
    {
        var clusters = new InMemoryClusters();
        clusters.Get("new-1").FailProduces = true;
        await using var host = Host(clusters);
        await using var producer = host.Client.CreateProducer<string, string>("orders");
        await ProduceKeyedAsync(producer, 0, 3);

        Assert.False(host.Configuration.TryApply(TestHost.Options(Json("DualWriteReadTarget")), out var errors));
        Assert.Contains("Xinfra:Topics:orders:Phase", errors, StringComparison.Ordinal);
        Assert.Contains("outbox", errors, StringComparison.Ordinal);
        Assert.Contains("3 records", errors, StringComparison.Ordinal);

        clusters.Get("new-1").FailProduces = false;
        await Eventually.TrueAsync(() => Gauge("xinfra.dualwrite.outbox.depth") == 0, "the outbox drains");
        Assert.True(host.Configuration.TryApply(TestHost.Options(Json("DualWriteReadTarget")), out errors), errors);

        clusters.Get("new-1").FailProduces = true;
        await ProduceKeyedAsync(producer, 3, 2);
        Assert.False(host.Configuration.TryApply(TestHost.Options(Json("TargetOnly")), out _));
        Assert.True(host.Configuration.TryApply(TestHost.Options(Json("TargetOnly", force: true)), out errors), errors);
        clusters.Get("new-1").FailProduces = false;
    }

    [Fact]
    public async Task SecondProcessOnTheSameOutboxDirectory_IsRefusedNamingTheField()
    {
        var clusters = new InMemoryClusters();
        await using var first = Host(clusters);
        await using var producer = first.Client.CreateProducer<string, string>("orders");
        await using var second = Host(clusters);

        var error = Assert.Throws<XinfraConfigurationException>(() => second.Client.CreateProducer<string, string>("orders"));
        Assert.Equal("Xinfra:Topics:orders:OutboxPath", error.Field);
        Assert.Contains("in use", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FullOutbox_RefusesTheProduceBeforeWritingTheSource()
    {
        var clusters = new InMemoryClusters();
        clusters.Get("new-1").FailProduces = true;
        await using var host = TestHost.FromJson(Json(maxBytes: 1024), b => b.Services.AddSingleton(clusters));
        await using var producer = host.Client.CreateProducer<string, string>("orders");

        var error = await Assert.ThrowsAsync<OutboxFullException>(async () =>
        {
            for (var i = 0; i < 100; i++)
            {
                await producer.ProduceAsync("k", new string('x', 100));
            }
        });

        Assert.Equal("orders", error.Topic);
        Assert.Contains("Xinfra:Topics:orders:OutboxMaxBytes", error.Message, StringComparison.Ordinal);
        Assert.True(error.IsTransient);
        var onSource = Enumerable.Range(0, 2).Sum(p => clusters.Get("old-1").ReadAll("orders.kafka", p).Count);
        Assert.Equal(Gauge("xinfra.dualwrite.outbox.depth"), onSource);
        clusters.Get("new-1").FailProduces = false;
    }

    [Fact]
    public async Task BothPolicy_TargetDown_FireAndForgetReportsTheError()
    {
        var clusters = new InMemoryClusters();
        clusters.Get("new-1").FailProduces = true;
        await using var host = TestHost.FromJson(TestHost.Migrating("DualWriteReadSource"), b => b.Services.AddSingleton(clusters));
        await using var producer = host.Client.CreateProducer("orders", new ProducerOptions<string, string> { MaxRetryAttempts = 1, RetryBaseDelay = TimeSpan.FromMilliseconds(1) });
        DeliveryReport? report = null;
        producer.Produce(new XinfraMessage<string, string> { Key = "k", Value = "v" }, r => report = r);
        await producer.FlushAsync();

        Assert.NotNull(report);
        Assert.False(report.Succeeded);
        Assert.Equal("new", report.Error!.Cluster);
        Assert.Contains("durable on cluster 'old'", report.Error.Message, StringComparison.Ordinal);
    }
}

[CollectionDefinition(nameof(OutboxTests), DisableParallelization = true)]
public sealed class OutboxTestsCollection;
