using System.ComponentModel.DataAnnotations;

namespace Xinfra;

/// <summary>One epoch of a logical topic: a physical topic on one cluster.</summary>
public sealed class EpochOptions
{
    /// <summary>The cluster name, a key of <c>Xinfra:Clusters</c>.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "the cluster this epoch lives on is required")]
    public string? Cluster { get; set; }

    /// <summary>The physical topic name on that cluster. <value>The default is the logical topic's name.</value></summary>
    public string? Topic { get; set; }

    /// <summary>Partitions (Kafka) or initial ranges (Northguard) when Xinfra creates the topic; null uses the cluster's default.</summary>
    [Range(1, 100_000, ErrorMessage = "must be between 1 and 100000")]
    public int? Partitions { get; set; }
}
