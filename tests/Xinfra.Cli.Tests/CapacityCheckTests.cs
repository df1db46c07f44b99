using Xinfra.Cli.Commands.Brokers;
using Xinfra.Cli.Commands.Topics;

namespace Xinfra.Cli.Tests;

public sealed class CapacityCheckTests
{
    private const long GB = 1_000_000_000;

    private static BrokerStorage Broker(ulong id, string host, string volume, long freeGb, long totalGb = 1000) =>
        new(id, host, volume, totalGb * GB, freeGb * GB, 0, 100_000_000);

    [Fact]
    public void Evaluate_BrokersShareOneVolume_CountsItOnce()
    {
        var brokers = new[] { Broker(1, "h", "/", 500), Broker(2, "h", "/", 500), Broker(3, "h", "/", 500) };
        // 1 MB/s for 1 day x RF 3 = 259.2 GB: fits 500 GB free once, minus a 10% reserve of 1000 GB = 400 GB.
        var fits = CapacityCheck.Evaluate(new CapacityRequest(1_000_000, TimeSpan.FromDays(1), null, 1, 3), brokers, 10, null);
        Assert.True(fits.Fits, string.Join("; ", fits.Problems));
        Assert.Equal(400 * GB, fits.AvailableBytes);

        // 2 MB/s doubles it to 518.4 GB: more than the single shared volume holds, although three volumes would.
        var refused = CapacityCheck.Evaluate(new CapacityRequest(2_000_000, TimeSpan.FromDays(1), null, 1, 3), brokers, 10, null);
        Assert.False(refused.Fits);
        Assert.Contains(refused.Problems, p => p.Contains("at full retention", StringComparison.Ordinal));
    }

    [Fact]
    public void Evaluate_SeparateHosts_SumTheirVolumes()
    {
        var brokers = new[] { Broker(1, "a", "/", 500), Broker(2, "b", "/", 500), Broker(3, "c", "/", 500) };
        var report = CapacityCheck.Evaluate(new CapacityRequest(2_000_000, TimeSpan.FromDays(1), null, 1, 3), brokers, 10, null);
        Assert.True(report.Fits, string.Join("; ", report.Problems));
        Assert.Equal(1200 * GB, report.AvailableBytes);
        Assert.Equal(518_400_000_000, report.RequiredBytes);
    }

    [Fact]
    public void Evaluate_RetentionBytesSmallerThanTime_UsesTheSizeLimit()
    {
        var brokers = new[] { Broker(1, "a", "/", 10), Broker(2, "b", "/", 10), Broker(3, "c", "/", 10) };
        var report = CapacityCheck.Evaluate(new CapacityRequest(10_000_000, TimeSpan.FromDays(30), 1 * GB, 4, 3), brokers, 0, null);
        Assert.True(report.Fits, string.Join("; ", report.Problems));
        Assert.Equal(12 * GB, report.RequiredBytes);
    }

    [Fact]
    public void Evaluate_TooFewBrokersForeverRetentionAndOverBudget_ListsEachProblem()
    {
        var brokers = new[] { Broker(1, "a", "/", 10), Broker(2, "b", "/", 10) };
        var report = CapacityCheck.Evaluate(new CapacityRequest(150_000_000, null, null, 1, 3), brokers, 0, budgetOverride: 200_000_000);
        Assert.False(report.Fits);
        Assert.Null(report.RequiredBytes);
        Assert.Equal(3, report.Problems.Count);
        Assert.Contains(report.Problems, p => p.Contains("needs 3 live brokers", StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.Contains("without bound", StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.Contains("budget is 400 MB/s", StringComparison.Ordinal));
    }
}
