namespace Xinfra.Northguard.Storage;

/// <summary>Tuning of the fps-store. Immutable; start from <see cref="Default"/> and use <c>with</c>.</summary>
public sealed record FpsStoreOptions
{
    /// <summary>The defaults.</summary>
    public static FpsStoreOptions Default { get; } = new();

    /// <summary>
    /// How long a group commit stays open for more appends after the first one. Zero (pipelined group commit) closes
    /// a group as soon as the flusher is free: each group holds whatever arrived while the previous fsync ran, which
    /// batches under load without adding latency when idle. A positive window trades latency for fewer fsyncs.
    /// </summary>
    /// <value>The default value is zero (see docs/decisions/0002-pipelined-group-commit.md).</value>
    public TimeSpan GroupCommitWindow { get; init; } = TimeSpan.Zero;

    /// <summary>A group commit closes early once it holds this many WAL bytes.</summary>
    /// <value>The default value is 4 MiB.</value>
    public int GroupCommitMaxBytes { get; init; } = 4 << 20;

    /// <summary>A group commit closes early once it holds this many appends.</summary>
    /// <value>The default value is 4096.</value>
    public int GroupCommitMaxAppends { get; init; } = 4096;

    /// <summary>A sparse index point is written at most every this many segment bytes.</summary>
    /// <value>The default value is 4096.</value>
    public int IndexIntervalBytes { get; init; } = 4096;

    /// <summary>When the WAL grows past this size, segment files are fsynced and the WAL restarts empty.</summary>
    /// <value>The default value is 64 MiB.</value>
    public long WalCheckpointBytes { get; init; } = 64L << 20;

    /// <summary>The most bytes of recent batches kept in memory per segment that has active tail readers.</summary>
    /// <value>The default value is 8 MiB.</value>
    public int TailCacheBytesPerSegment { get; init; } = 8 << 20;

    /// <summary>The largest batch (encoded bytes) a single append may produce.</summary>
    /// <value>The default value is 16 MiB.</value>
    public int MaxBatchBytes { get; init; } = 16 << 20;

    /// <summary>
    /// Runs no flusher thread: group commits happen only when the owner calls <see cref="FpsStore.FlushNow"/> (and on
    /// dispose), on the caller's thread. For a deterministic simulator that steps the store itself; production keeps
    /// the flusher loop.
    /// </summary>
    /// <value>The default value is false.</value>
    public bool ManualFlush { get; init; }

    internal void Validate()
    {
        if (GroupCommitWindow < TimeSpan.Zero || GroupCommitMaxBytes <= 0 || GroupCommitMaxAppends <= 0
            || IndexIntervalBytes <= 0 || WalCheckpointBytes <= 0 || TailCacheBytesPerSegment < 0 || MaxBatchBytes <= 0)
        {
            throw new XinfraConfigurationException($"Invalid {nameof(FpsStoreOptions)}: windows and sizes must be positive ({this}).");
        }
    }
}
