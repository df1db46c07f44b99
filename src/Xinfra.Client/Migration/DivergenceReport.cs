namespace Xinfra.Migration;

/// <summary>
/// How a topic's source and target epochs compare over a time window, by Xinfra message id: counts and an
/// order-independent hash per side and per partition, and the ids found on one side only.
/// </summary>
public sealed record DivergenceReport
{
    /// <summary>The logical topic.</summary>
    public required string Topic { get; init; }

    /// <summary>The window start (inclusive), by record timestamp.</summary>
    public required DateTimeOffset From { get; init; }

    /// <summary>The window end (exclusive).</summary>
    public required DateTimeOffset To { get; init; }

    /// <summary>The source epoch's side.</summary>
    public required EpochDigest Source { get; init; }

    /// <summary>The target epoch's side.</summary>
    public required EpochDigest Target { get; init; }

    /// <summary>Message ids in the window on the source only.</summary>
    public required long MissingOnTarget { get; init; }

    /// <summary>Message ids in the window on the target only.</summary>
    public required long MissingOnSource { get; init; }

    /// <summary>Up to 20 of the ids found on one side only, for the operator.</summary>
    public required IReadOnlyList<string> Examples { get; init; }

    /// <summary>Both sides hold the same records in the window.</summary>
    public bool IsZero => MissingOnTarget == 0 && MissingOnSource == 0;

    /// <summary>The divergence: records on one side only.</summary>
    public long Divergence => MissingOnTarget + MissingOnSource;
}

/// <summary>One side of a divergence check.</summary>
/// <param name="Cluster">The cluster.</param>
/// <param name="Count">Records in the window.</param>
/// <param name="Hash">XOR of the 64-bit hashes of their message ids (order-independent).</param>
/// <param name="Partitions">Count and hash per partition (or range).</param>
public sealed record EpochDigest(string Cluster, long Count, ulong Hash, IReadOnlyDictionary<long, (long Count, ulong Hash)> Partitions);
