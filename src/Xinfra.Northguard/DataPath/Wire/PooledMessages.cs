using Xinfra.Northguard.DataPath.Wire;

// Partial halves of generated messages (northguard.proto): the pooled buffer behind a received append's batch, set only
// by AppendParser on the broker's receiving side; null for messages parsed the ordinary way or built locally.
namespace Xinfra.Northguard.Protocol;

/// <summary>A produce append; see northguard.proto.</summary>
public sealed partial class ProduceAppend
{
    /// <summary>The pooled array <see cref="Batch"/> points into, when the broker parsed it into one.</summary>
    internal PooledBatch? PooledBatch { get; set; }
}

/// <summary>A replicated append; see northguard.proto.</summary>
public sealed partial class ReplicateAppend
{
    /// <summary>The pooled array <see cref="Batch"/> points into, when the follower parsed it into one.</summary>
    internal PooledBatch? PooledBatch { get; set; }
}
