using Microsoft.Extensions.Configuration;
using Xinfra.Client.Tests.Support;
using Xinfra.Migration;
using Xinfra.Routing;
using Xinfra.Transport;
using Microsoft.Extensions.DependencyInjection;

namespace Xinfra.Client.Tests.Migration;

public sealed class DivergenceTests
{
    private static DivergenceChecker Checker(TestHost host) =>
        new(host.Configuration, host.Services.GetRequiredService<TransportRegistry>());

    [Fact]
    public async Task DualWrittenRecords_NoDivergence_SameCountsAndHash()
    {
        await using var host = TestHost.FromJson(TestHost.Migrating("DualWriteReadSource"));
        await using var producer = host.Client.CreateProducer<string, string>("orders");
        var t0 = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 50; i++)
        {
            await producer.ProduceAsync(new XinfraMessage<string, string> { Key = $"k{i % 7}", Value = $"{i}", Timestamp = t0.AddSeconds(i) });
        }

        var report = await Checker(host).CheckAsync("orders", t0, t0.AddMinutes(10));

        Assert.True(report.IsZero);
        Assert.Equal(50, report.Source.Count);
        Assert.Equal(50, report.Target.Count);
        Assert.Equal(report.Source.Hash, report.Target.Hash);
        Assert.Equal(2, report.Source.Partitions.Count);
        Assert.Equal(50, report.Target.Partitions.Values.Sum(p => p.Count));
    }

    [Fact]
    public async Task RecordOnOneSideOnly_IsCounted_AndTheWindowIsRespected()
    {
        await using var host = TestHost.FromJson(TestHost.Migrating("DualWriteReadSource"));
        await using var producer = host.Client.CreateProducer<string, string>("orders");
        var t0 = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 10; i++)
        {
            await producer.ProduceAsync(new XinfraMessage<string, string> { Key = "k", Value = $"{i}", Timestamp = t0.AddSeconds(i) });
        }

        // A lagging producer still in SourceOnly writes the source alone, once inside the window and once after it.
        var source = host.Services.GetRequiredService<TransportRegistry>().Get("old");
        var physical = host.Configuration.Current.Route("orders").Source;
        await source.ProduceAsync(physical, new OutgoingRecord(null, new byte[] { 1 }, [new XinfraHeader(RecordHeaderNames.MessageId, "lagging:1"u8.ToArray())], t0.AddSeconds(5)), default);
        await source.ProduceAsync(physical, new OutgoingRecord(null, new byte[] { 2 }, [new XinfraHeader(RecordHeaderNames.MessageId, "lagging:2"u8.ToArray())], t0.AddHours(1)), default);

        var report = await Checker(host).CheckAsync("orders", t0, t0.AddMinutes(10));

        Assert.False(report.IsZero);
        Assert.Equal(1, report.MissingOnTarget);
        Assert.Equal(0, report.MissingOnSource);
        Assert.Equal(["source only: lagging:1"], report.Examples);
        Assert.NotEqual(report.Source.Hash, report.Target.Hash);
    }

    [Fact]
    public async Task SingleEpochTopic_IsRefusedWithAClearError()
    {
        await using var host = TestHost.FromJson(TestHost.SingleTopic);
        var error = await Assert.ThrowsAsync<XinfraConfigurationException>(() => Checker(host).CheckAsync("orders", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddDays(1)));
        Assert.Contains("needs a source and a target", error.Message, StringComparison.Ordinal);
    }
}

public sealed class CutoverGateTests
{

    [Fact]
    public async Task FlipToTarget_RefusedUntilTheGateMeasuredNoDivergence_ThenAllowed()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        await using var host = TestHost.FromJson(TestHost.Migrating("DualWriteReadSource"), b =>
        {
            b.Services.AddSingleton<TimeProvider>(time);
            b.AddMigrationGate(o => { o.Window = TimeSpan.FromMinutes(5); o.Lag = TimeSpan.FromSeconds(10); });
        });
        await using var producer = host.Client.CreateProducer<string, string>("orders");
        for (var i = 0; i < 20; i++)
        {
            await producer.ProduceAsync(new XinfraMessage<string, string> { Key = "k", Value = $"{i}", Timestamp = time.GetUtcNow().AddSeconds(-60 + i) });
        }

        Assert.False(host.Configuration.TryApply(TestHost.Options(TestHost.Migrating("DualWriteReadTarget")), out var before));
        Assert.Contains("Xinfra:Topics:orders:Phase: the cutover gate refuses DualWriteReadTarget: no divergence measurement yet", before, StringComparison.Ordinal);

        var service = host.Services.GetRequiredService<DivergenceGateService>();
        await service.CheckOnceAsync(CancellationToken.None);
        Assert.Equal(20, host.Services.GetRequiredService<DivergenceGate>().Latest("orders")!.Source.Count);
        Assert.True(host.Configuration.TryApply(TestHost.Options(TestHost.Migrating("DualWriteReadTarget")), out var errors), errors);
    }

    [Fact]
    public async Task FlipToTarget_WithDivergence_Refused_UnlessForced()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        await using var host = TestHost.FromJson(TestHost.Migrating("DualWriteReadSource"), b =>
        {
            b.Services.AddSingleton<TimeProvider>(time);
            b.AddMigrationGate();
        });
        var source = host.Services.GetRequiredService<TransportRegistry>().Get("old");
        var physical = host.Configuration.Current.Route("orders").Source;
        await source.EnsureTopicAsync(physical, default);
        await source.ProduceAsync(physical, new OutgoingRecord(null, new byte[] { 1 }, [new XinfraHeader(RecordHeaderNames.MessageId, "lagging:7"u8.ToArray())], time.GetUtcNow().AddSeconds(-30)), default);
        await host.Services.GetRequiredService<DivergenceGateService>().CheckOnceAsync(CancellationToken.None);

        Assert.False(host.Configuration.TryApply(TestHost.Options(TestHost.Migrating("DualWriteReadTarget")), out var refused));
        Assert.Contains("diverge by 1 records", refused, StringComparison.Ordinal);
        Assert.Contains("source only: lagging:7", refused, StringComparison.Ordinal);

        var forced = TestHost.Migrating("DualWriteReadTarget").Replace("\"Phase\": \"DualWriteReadTarget\"", "\"Phase\": \"DualWriteReadTarget\", \"ForceCutover\": true", StringComparison.Ordinal);
        Assert.True(host.Configuration.TryApply(TestHost.Options(forced), out var errors), errors);
    }
}
