namespace Xinfra.Northguard.Server.Configuration;

/// <summary>
/// The <c>Northguard</c> section of a broker process's configuration file: who this broker is, where it listens and
/// keeps its data, the cluster's members, and the metadata and data-path settings every member must agree on.
/// </summary>
public sealed class NorthguardServerOptions
{
    /// <summary>The configuration section the options bind from.</summary>
    public const string SectionName = "Northguard";

    /// <summary>This broker's id: unique in the cluster, stable across restarts, not 0. Required.</summary>
    public ulong BrokerId { get; set; }

    /// <summary>The address to listen on. <value>The default is 127.0.0.1.</value></summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>The port to listen on; 0 picks a free one (single-broker clusters only). Required for clusters.</summary>
    public int Port { get; set; }

    /// <summary>
    /// The port of the Prometheus scrape endpoint (<c>GET /metrics</c>, plaintext HTTP/1.1 on <see cref="Host"/>), apart
    /// from the HTTP/2 gRPC port; 0 picks a free one. <value>The default is null: no metrics endpoint.</value>
    /// </summary>
    public int? MetricsPort { get; set; }

    /// <summary>The folder holding the broker's WAL, segments, index and Raft log. Required.</summary>
    public string DataDirectory { get; set; } = "";

    /// <summary>Attributes placement policies can constrain (e.g. <c>zone</c>).</summary>
    public Dictionary<string, string> Attributes { get; set; } = [];

    /// <summary>
    /// Every broker of the cluster, this one included: broker id → <c>http://host:port</c>. A single-broker cluster
    /// may leave it empty.
    /// </summary>
    public Dictionary<string, string> Members { get; set; } = [];

    /// <summary>Metadata (Raft over vnodes) settings; every member must use the same values.</summary>
    public MetadataSettings Metadata { get; set; } = new();

    /// <summary>Data-path settings.</summary>
    public DataPathSettings DataPath { get; set; } = new();
}

/// <summary>The metadata settings of <see cref="NorthguardServerOptions"/>.</summary>
public sealed class MetadataSettings
{
    /// <summary>The number of vnodes. <value>The default is 64.</value></summary>
    public int VnodeCount { get; set; } = 64;

    /// <summary>Brokers per vnode Raft group. <value>The default is 3.</value></summary>
    public int ReplicationFactor { get; set; } = 3;

    /// <summary>The length of one Raft tick. <value>The default is 100 ms.</value></summary>
    public TimeSpan TickPeriod { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Raft election timeout in ticks. <value>The default is 10.</value></summary>
    public int ElectionTicks { get; set; } = 10;

    /// <summary>How long a metadata operation may wait for its vnode leader. <value>The default is 10 s.</value></summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Seed of the election-timeout randomness. <value>The default is 1.</value></summary>
    public int Seed { get; set; } = 1;
}

/// <summary>The data-path settings of <see cref="NorthguardServerOptions"/>.</summary>
public sealed class DataPathSettings
{
    /// <summary>Appends a produce stream may have unacknowledged. <value>The default is 256.</value></summary>
    public int ProduceWindow { get; set; } = 256;

    /// <summary>The largest record accepted, in bytes. <value>The default is 1 MiB.</value></summary>
    public int MaxRecordBytes { get; set; } = 1 << 20;

    /// <summary>A follower slower than this to make an append durable fails and the segment is sealed. <value>10 s.</value></summary>
    public TimeSpan ReplicaTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often under-replicated sealed segments are looked for; zero disables. <value>30 s.</value></summary>
    public TimeSpan RereplicationInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The fps-store group-commit window; zero pipelines fsyncs (docs/decisions/0002). <value>Zero.</value></summary>
    public TimeSpan GroupCommitWindow { get; set; } = TimeSpan.Zero;
}
