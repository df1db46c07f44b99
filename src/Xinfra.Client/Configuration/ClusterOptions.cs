using System.ComponentModel.DataAnnotations;

namespace Xinfra;

/// <summary>One physical cluster, bound from <c>Xinfra:Clusters:&lt;name&gt;</c>.</summary>
public sealed class ClusterOptions
{
    /// <summary>What kind of cluster this is. <value>The default is <see cref="ClusterKind.InMemory"/>.</value></summary>
    public ClusterKind Kind { get; set; } = ClusterKind.InMemory;

    /// <summary>
    /// Comma-separated <c>host:port</c> endpoints to bootstrap from (for Kafka, <c>bootstrap.servers</c>). For an
    /// in-memory cluster, any name: transports with the same bootstrap share one in-process cluster.
    /// </summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "a bootstrap address is required (host:port[,host:port...])")]
    public string? Bootstrap { get; set; }

    /// <summary>The name of a security profile under <c>Xinfra:SecurityProfiles</c>, or null for plaintext.</summary>
    public string? SecurityProfile { get; set; }

    /// <summary>
    /// Transport-specific settings passed through as they are (for Kafka, librdkafka properties such as
    /// <c>linger.ms</c>). Security settings belong in a profile, not here.
    /// </summary>
    public Dictionary<string, string> Settings { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Partitions given to topics this client creates on the cluster. <value>The default is 3.</value></summary>
    [Range(1, 100_000, ErrorMessage = "must be between 1 and 100000")]
    public int DefaultPartitions { get; set; } = 3;

    /// <summary>The largest record, in bytes, a producer may send. <value>The default is 1 MiB.</value></summary>
    [Range(1, 256 * 1024 * 1024, ErrorMessage = "must be between 1 byte and 256 MiB")]
    public int MaxRecordBytes { get; set; } = 1024 * 1024;
}
