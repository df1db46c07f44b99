using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Xinfra;

/// <summary>
/// One logical topic, bound from <c>Xinfra:Topics:&lt;name&gt;</c>. Either name a single <see cref="Cluster"/>
/// (and optionally <see cref="Topic"/>), or list <see cref="Epochs"/>; during a migration the last two epochs are the
/// source and the target.
/// </summary>
public sealed class TopicOptions
{
    /// <summary>Shorthand for a topic with one epoch: its cluster.</summary>
    public string? Cluster { get; set; }

    /// <summary>Shorthand for a topic with one epoch: its physical name. <value>The default is the logical name.</value></summary>
    public string? Topic { get; set; }

    /// <summary>The topic's epochs, oldest first. The last two are source and target while migrating.</summary>
    [ValidateEnumeratedItems]
    public List<EpochOptions> Epochs { get; set; } = [];

    /// <summary>The migration phase. <value>The default is <see cref="MigrationPhase.SourceOnly"/>.</value></summary>
    [EnumDataType(typeof(MigrationPhase), ErrorMessage = "must be SourceOnly, DualWriteReadSource, DualWriteReadTarget or TargetOnly")]
    public MigrationPhase Phase { get; set; } = MigrationPhase.SourceOnly;

    /// <summary>When a dual-written record counts as delivered. <value>The default is <see cref="DualWriteAckPolicy.Both"/>.</value></summary>
    [EnumDataType(typeof(DualWriteAckPolicy), ErrorMessage = "must be Both or Primary")]
    public DualWriteAckPolicy DualWriteAck { get; set; } = DualWriteAckPolicy.Both;

    /// <summary>
    /// The directory of the durable dual-write outbox, required with <see cref="DualWriteAckPolicy.Primary"/>: the
    /// target copies not yet acknowledged by the target live in <c>{OutboxPath}/{topic}/</c>. Local disk, one process
    /// per directory.
    /// </summary>
    public string? OutboxPath { get; set; }

    /// <summary>
    /// The most bytes the outbox may hold; a produce that would exceed it fails with <see cref="OutboxFullException"/>
    /// before anything is written. <value>The default is 256 MiB.</value>
    /// </summary>
    [Range(1L, long.MaxValue, ErrorMessage = "must be at least 1 byte")]
    public long OutboxMaxBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>
    /// Let consumers move to the target even when the cutover gate measured divergence (or has not measured yet).
    /// <value>The default is false.</value>
    /// </summary>
    public bool ForceCutover { get; set; }

    /// <summary>Create the physical topic on first use when it does not exist. <value>The default is true.</value></summary>
    public bool AutoCreate { get; set; } = true;
}
