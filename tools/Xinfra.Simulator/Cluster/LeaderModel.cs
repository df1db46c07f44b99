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
}

/// <summary>A produce call waiting for its answer: who asked, and the call to answer.</summary>
internal readonly record struct ProduceCall(int From, long CallId);
