namespace Xinfra.Northguard.Metadata.Placement;

/// <summary>
/// Chooses the replicas of a new segment: live brokers, least loaded first (ties by id, so every replica of the
/// coordinator decides the same), optionally no two sharing the value of one attribute (e.g. one per zone).
/// </summary>
public static class ReplicaPlacer
{
    /// <summary>
    /// Picks <paramref name="count"/> brokers, or returns null when the live brokers cannot satisfy the request.
    /// </summary>
    /// <param name="brokers">The known brokers.</param>
    /// <param name="load">Current load per broker (e.g. open segments); missing means 0.</param>
    /// <param name="count">How many replicas.</param>
    /// <param name="spreadBy">An attribute whose values must differ between replicas, or null.</param>
    /// <param name="exclude">Brokers not to use (e.g. the replicas a segment already has).</param>
    /// <param name="usedValues">Values of <paramref name="spreadBy"/> already taken (by the replicas kept).</param>
    public static IReadOnlyList<ulong>? Choose(IReadOnlyList<BrokerInfo> brokers, IReadOnlyDictionary<ulong, int> load, int count,
        string? spreadBy = null, IReadOnlyCollection<ulong>? exclude = null, IReadOnlyCollection<string>? usedValues = null)
    {
        ArgumentNullException.ThrowIfNull(brokers);
        ArgumentNullException.ThrowIfNull(load);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var candidates = new List<BrokerInfo>();
        foreach (var broker in brokers)
        {
            if (broker.IsLive && broker.Id != 0 && (exclude is null || !exclude.Contains(broker.Id)))
            {
                candidates.Add(broker);
            }
        }

        candidates.Sort((a, b) =>
        {
            int byLoad = load.GetValueOrDefault(a.Id).CompareTo(load.GetValueOrDefault(b.Id));
            return byLoad != 0 ? byLoad : a.Id.CompareTo(b.Id);
        });

        var chosen = new List<ulong>(count);
        var values = new HashSet<string>(usedValues ?? [], StringComparer.Ordinal);
        foreach (var broker in candidates)
        {
            if (spreadBy is not null)
            {
                // A broker without the attribute cannot prove it is apart from the others.
                if (!broker.Attributes.TryGetValue(spreadBy, out string? value) || !values.Add(value))
                {
                    continue;
                }
            }

            chosen.Add(broker.Id);
            if (chosen.Count == count)
            {
                return chosen;
            }
        }

        return null;
    }
}
