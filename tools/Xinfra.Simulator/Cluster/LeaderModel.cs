using Xinfra.Northguard.DataPath.Core;
using Xinfra.Simulator.Engine;

namespace Xinfra.Simulator.Cluster;

/// <summary>
/// One open segment this broker leads: the engine's own <see cref="SegmentReplicationCore{TToken}"/> (durable ends,
/// committed offset, acks, idempotence, seal decisions) and the segment it belongs to. The simulated broker does the
/// IO around it, as <c>SegmentLeader</c> does in the engine.
/// </summary>
internal sealed class LeaderModel(SegmentRef segment, SegmentReplicationCore<ProduceCall> core)
{
    public SegmentRef Segment => segment;

    public SegmentReplicationCore<ProduceCall> Core => core;

    /// <summary>The running seal (until it commits in metadata), or null while the segment takes appends.</summary>
    public Task? Sealing { get; set; }

    /// <summary>Produce calls that arrived while sealing: answered <c>Sealed</c> once the seal commits, as the engine's sessions hear <c>OnSealed</c>.</summary>
    public List<ProduceCall> WaitingForSeal { get; } = [];

    /// <summary>Appends found in earlier segments for a resending producer: (producer, sequence) → first offset and record count.</summary>
    public Dictionary<(ulong Producer, long Sequence), (long BaseOffset, int Count)> StoredResends { get; } = [];
}

/// <summary>A produce call waiting for its answer: who asked, and the call to answer.</summary>
internal readonly record struct ProduceCall(int From, long CallId);
