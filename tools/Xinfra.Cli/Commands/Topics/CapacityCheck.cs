using Xinfra.Cli.Commands.Brokers;
using Xinfra.Cli.Infrastructure;

namespace Xinfra.Cli.Commands.Topics;

/// <summary>What a new topic asks of the cluster.</summary>
/// <param name="ThroughputBytesPerSecond">Produce throughput (before replication).</param>
/// <param name="Retention">Retention time; null keeps forever.</param>
/// <param name="RetentionBytesPerRange">Retention size per range; null for none.</param>
/// <param name="Ranges">Ranges.</param>
/// <param name="ReplicationFactor">Replicas per segment.</param>
internal sealed record CapacityRequest(long ThroughputBytesPerSecond, TimeSpan? Retention, long? RetentionBytesPerRange, int Ranges, int ReplicationFactor);

/// <summary>The result of a capacity check: what is needed, what the live brokers offer, and why it does not fit.</summary>
internal sealed record CapacityReport
{
    /// <summary>True when every problem list is empty.</summary>
    public bool Fits => Problems.Count == 0;

    /// <summary>Why the topic does not fit, one line each.</summary>
    public required IReadOnlyList<string> Problems { get; init; }

    /// <summary>Live brokers that reported storage.</summary>
    public required int LiveBrokers { get; init; }

    /// <summary>Bytes the topic holds at full retention, all replicas; null when unbounded.</summary>
    public required long? RequiredBytes { get; init; }

    /// <summary>Free bytes on the brokers' distinct volumes, minus the reserve.</summary>
    public required long AvailableBytes { get; init; }

    /// <summary>Replica write bytes per second the topic adds.</summary>
    public required long RequiredBytesPerSecond { get; init; }

    /// <summary>Sum of the live brokers' throughput budgets.</summary>
    public required long BudgetBytesPerSecond { get; init; }
}

/// <summary>
/// Decides whether the live brokers can hold a new topic: enough live brokers for the replication factor, the
/// replicated write throughput within the sum of the brokers' budgets, and throughput × retention × RF (or the
/// retention size × ranges × RF, whichever is smaller) within the free space of their distinct volumes after a
/// reserve. Brokers sharing a host and volume (an embedded cluster) count that volume once. It does not know what
/// existing topics will still write: free space and the budget are today's, not a reservation.
/// </summary>
internal static class CapacityCheck
{
    /// <summary>Evaluates <paramref name="request"/> against <paramref name="brokers"/>.</summary>
    public static CapacityReport Evaluate(CapacityRequest request, IReadOnlyList<BrokerStorage> brokers, double reservePercent, long? budgetOverride)
    {
        var problems = new List<string>();
        if (brokers.Count < request.ReplicationFactor)
        {
            problems.Add($"replication factor {request.ReplicationFactor} needs {request.ReplicationFactor} live brokers; {brokers.Count} reported");
        }

        long? byTime = request.Retention is { } r ? Saturating(request.ThroughputBytesPerSecond * r.TotalSeconds) : null;
        long? bySize = request.RetentionBytesPerRange is { } b ? Saturating((double)b * request.Ranges) : null;
        long? perCopy = byTime is null ? bySize : bySize is null ? byTime : Math.Min(byTime.Value, bySize.Value);
        long? required = perCopy is { } p ? Saturating((double)p * request.ReplicationFactor) : null;
        long available = brokers
            .GroupBy(s => (s.Host, s.Volume))
            .Select(g => g.First())
            .Sum(s => Math.Max(0, s.DiskFreeBytes - (long)(s.DiskTotalBytes * reservePercent / 100)));
        if (required is null && request.ThroughputBytesPerSecond > 0)
        {
            problems.Add("retention is forever and no --retention-bytes is set: the topic grows without bound");
        }
        else if (required > available)
        {
            problems.Add($"needs {Units.Bytes(required.Value)} at full retention (throughput x retention x RF {request.ReplicationFactor}), "
                + $"the live brokers have {Units.Bytes(available)} free after a {reservePercent:0.#}% reserve");
        }

        long replicated = Saturating((double)request.ThroughputBytesPerSecond * request.ReplicationFactor);
        long budget = brokers.Sum(s => budgetOverride ?? s.ThroughputBudgetBytesPerSecond);
        if (replicated > budget)
        {
            problems.Add($"needs {Units.Bytes(replicated)}/s of replica writes, the live brokers' budget is {Units.Bytes(budget)}/s");
        }

        return new CapacityReport
        {
            Problems = problems,
            LiveBrokers = brokers.Count,
            RequiredBytes = required,
            AvailableBytes = available,
            RequiredBytesPerSecond = replicated,
            BudgetBytesPerSecond = budget,
        };
    }

    private static long Saturating(double value) => value >= long.MaxValue ? long.MaxValue : (long)value;
}
