using System.Collections.Concurrent;

namespace Xinfra.Migration;

/// <summary>
/// The cutover gate: the latest divergence measured per topic. A flip that changes the epoch consumers read
/// (<see cref="MigrationPhase.DualWriteReadSource"/> to <see cref="MigrationPhase.DualWriteReadTarget"/> or back) is
/// refused unless the latest measurement shows none (or the topic sets <c>ForceCutover</c>). Registered by <c>AddMigrationGate()</c>, fed by its background check.
/// </summary>
public sealed class DivergenceGate
{
    private readonly ConcurrentDictionary<string, DivergenceReport> _latest = new(StringComparer.Ordinal);

    /// <summary>The latest report for <paramref name="topic"/>, or null before the first check.</summary>
    public DivergenceReport? Latest(string topic) => _latest.GetValueOrDefault(topic);

    /// <summary>Records a measurement.</summary>
    public void Record(DivergenceReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        _latest[report.Topic] = report;
    }

    /// <summary>True when consumers may move to the target; otherwise says why not.</summary>
    public bool AllowsReadingTarget(string topic, out string reason)
    {
        if (Latest(topic) is not { } report)
        {
            reason = "no divergence measurement yet; wait for the gate's first check";
            return false;
        }

        if (!report.IsZero)
        {
            reason = $"source and target diverge by {report.Divergence} records between {report.From:O} and {report.To:O} ({report.MissingOnTarget} missing on the target, {report.MissingOnSource} on the source; e.g. {string.Join("; ", report.Examples.Take(3))})";
            return false;
        }

        reason = string.Empty;
        return true;
    }
}
