using Xinfra.Northguard.Metadata.Network;
using Xinfra.Northguard.Metadata.Ring;

namespace Xinfra.Northguard.Metadata.Hosting;

/// <summary>How <see cref="MetadataModule"/> runs the vnode Raft groups of a broker.</summary>
public sealed record MetadataModuleOptions
{
    /// <summary>The cluster's brokers (static initial membership) and their endpoints as they become known. Required.</summary>
    public required MetadataMembership Membership { get; init; }

    /// <summary>The number of vnodes; every broker of a cluster must agree. <value>The default is 64.</value></summary>
    public int VnodeCount { get; init; } = VnodeRing.DefaultCount;

    /// <summary>Brokers per vnode Raft group (all brokers when fewer). <value>The default is 3.</value></summary>
    public int ReplicationFactor { get; init; } = 3;

    /// <summary>The length of one Raft tick. <value>The default is 100 ms.</value></summary>
    public TimeSpan TickPeriod { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Raft election timeout in ticks (randomized up to twice this). <value>The default is 10.</value></summary>
    public int ElectionTicks { get; init; } = 10;

    /// <summary>Gossip (liveness, endpoint, led vnodes) to every peer every this many ticks. <value>The default is 5.</value></summary>
    public int GossipEveryTicks { get; init; } = 5;

    /// <summary>A broker not heard from for this many ticks is not live. <value>The default is 30.</value></summary>
    public int LivenessTimeoutTicks { get; init; } = 30;

    /// <summary>How long a broker waits for a metadata operation before answering "unavailable". <value>The default is 10 s.</value></summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Compact a vnode's Raft log after this many applied entries. <value>The default is 1000.</value></summary>
    public int CompactEvery { get; init; } = 1000;

    /// <summary>
    /// A vnode leader checks its topics' retention every this many ticks and proposes the deletion of expired
    /// segments. <value>The default is 600 (one minute at the default tick).</value>
    /// </summary>
    public int RetentionEveryTicks { get; init; } = 600;

    /// <summary>Seed of the election-timeout randomness (mixed with broker id and vnode). <value>The default is 1.</value></summary>
    public int Seed { get; init; } = 1;

    /// <summary>How the config service hosted with the metadata watches documents. <value>The default is <see cref="ConfigService.ConfigServiceOptions"/>' defaults.</value></summary>
    public ConfigService.ConfigServiceOptions ConfigService { get; init; } = new();

    /// <summary>The reason these options are invalid, or null.</summary>
    public string? Validate() =>
        Membership is null ? "Membership is required."
        : VnodeCount is < 1 or > ushort.MaxValue ? "VnodeCount must be between 1 and 65535."
        : ReplicationFactor < 1 ? "ReplicationFactor must be at least 1."
        : TickPeriod <= TimeSpan.Zero || RequestTimeout <= TimeSpan.Zero ? "TickPeriod and RequestTimeout must be positive."
        : RetentionEveryTicks < 1 ? "RetentionEveryTicks must be at least 1."
        : ElectionTicks < 2 || GossipEveryTicks < 1 || LivenessTimeoutTicks <= GossipEveryTicks ? "ElectionTicks ≥ 2, GossipEveryTicks ≥ 1 and LivenessTimeoutTicks > GossipEveryTicks are required."
        : null;
}
