using Xinfra.Northguard.Metadata.Commands;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Raft;
using Xinfra.Northguard.Metadata.Ring;
using Xinfra.Northguard.Metadata.StateMachine;
using Xinfra.Northguard.Storage;

namespace Xinfra.Simulator.Engine;

/// <summary>A request expecting a reply (<see cref="Reply"/> with the same call id).</summary>
internal sealed record Request(long CallId, object Body);

/// <summary>The answer to a <see cref="Request"/>.</summary>
internal sealed record Reply(long CallId, object Body);

/// <summary>Raft traffic of one vnode group between brokers.</summary>
internal sealed record RaftEnvelope(int Vnode, RaftMessage Message)
{
    public override string ToString() =>
        $"raft v{Vnode} {Message.Type} t{Message.Term} i{Message.Index} n{Message.Entries.Count} c{Message.Commit}{(Message.Reject ? " reject" : "")}";
}

/// <summary>Liveness probe between brokers.</summary>
internal sealed record Ping;

/// <summary>Answer to <see cref="Ping"/>.</summary>
internal sealed record Pong;

// ---- metadata RPCs (served by the vnode's Raft leader) ----

/// <summary>Propose a metadata command on a vnode.</summary>
internal sealed record MetaWrite(int Vnode, MetadataCommand Command)
{
    public override string ToString() => $"meta-write v{Vnode} {Command.GetType().Name}";
}

/// <summary>A linearizable (read-index) read of a topic or document on a vnode.</summary>
internal sealed record MetaRead(int Vnode, string? Topic, string? Document);

/// <summary>This broker does not lead the vnode; try <paramref name="Hint"/> (0: unknown).</summary>
internal sealed record NotLeader(ulong Hint);

/// <summary>The result of a <see cref="MetaWrite"/>.</summary>
internal sealed record MetaWriteResult(MetadataResult Result)
{
    public override string ToString() => $"meta-result {Result.Status} {Result.Segment} {string.Join(',', Result.Ranges)}";
}

/// <summary>The result of a <see cref="MetaRead"/>.</summary>
internal sealed record MetaReadResult(TopicDescription? Topic, ConfigDocument? Document)
{
    public override string ToString() => $"meta-read {Topic?.Topic.Name} r{Topic?.Ranges.Count} s{Topic?.Segments.Count} doc v{Document?.Version}";
}

// ---- data path ----

/// <summary>Where a segment lives: what a producer or consumer learned from metadata.</summary>
internal sealed record SegmentRef(SegmentId Id, string Topic, long BaseOffset, ulong[] Replicas)
{
    public long StoreId => StoreIdOf(Id);

    /// <summary>The fps-store segment id: vnode (12 bits), range sequence (31 bits), segment sequence (20 bits).</summary>
    public static long StoreIdOf(SegmentId id) => ((long)id.Range.Vnode << 51) | ((id.Range.Sequence & 0x7FFF_FFFFL) << 20) | ((long)id.Sequence & 0xF_FFFFL);

    public override string ToString() => $"{Id}@{BaseOffset}[{string.Join(',', Replicas)}]";
}

/// <summary>
/// Append records (one batch, sequence <paramref name="Sequence"/> of producer <paramref name="Producer"/>).
/// <paramref name="Resend"/>: the batch was sent to an earlier segment of the range, whose appends from the producer at
/// or above <paramref name="AckedEnd"/> the leader looks up first (the engine's <c>ProduceOpen.Resend</c>).
/// </summary>
internal sealed record ProduceRequest(SegmentRef Segment, int Producer, long Sequence, LogRecord[] Records, bool Resend = false, long AckedEnd = 0)
{
    public override string ToString() => $"produce {Segment} p{Producer} s{Sequence} n{Records.Length}";
}

/// <summary>Outcomes of a produce request.</summary>
internal enum ProduceStatus
{
    Ok,
    Sealed,
    Orphan,
    Failed,
}

/// <summary>The answer to a <see cref="ProduceRequest"/>.</summary>
internal sealed record ProduceResponse(ProduceStatus Status, long BaseOffset, long LastOffset);

/// <summary>Leader to follower: records at <paramref name="First"/> onwards.</summary>
internal sealed record Replicate(SegmentRef Segment, long First, LogRecord[] Records)
{
    public override string ToString() => $"replicate {Segment} from {First} n{Records.Length}";
}

/// <summary>Follower to leader: every record below <paramref name="End"/> is durable here.</summary>
internal sealed record DurableReport(SegmentId Segment, long End);

/// <summary>Follower to leader: the follower cannot take the stream (gap, sealed, storage failure).</summary>
internal sealed record ReplicaRefused(SegmentId Segment, string Why);

/// <summary>Leader to followers: the segment is sealed; seal your copy.</summary>
internal sealed record SealNotice(SegmentRef Segment);

/// <summary>Ask a replica to seal an open segment whose leader seems gone.</summary>
internal sealed record SealOrphanRequest(SegmentRef Segment);

/// <summary>Ask the segment leader to seal now (range split/merge); the answer is a <see cref="Done"/>.</summary>
internal sealed record SealNowRequest(SegmentRef Segment);

/// <summary>Fence a replica (seal its copy so no more appends land) and report its durable end.</summary>
internal sealed record FenceRequest(SegmentRef Segment);

/// <summary>A replica's durable end after fencing.</summary>
internal sealed record FenceResponse(long End);

/// <summary>Open the next segment of a range (placement by the broker's view of live brokers).</summary>
internal sealed record OpenSegmentRequest(string Topic, RangeId Range, int ReplicationFactor);

/// <summary>Read records of a segment: up to <paramref name="SealedEnd"/> for a sealed one, else up to the leader's committed offset.</summary>
internal sealed record FetchRequest(SegmentRef Segment, long Offset, long? SealedEnd);

/// <summary>Records read, or an empty list with <paramref name="Retry"/> describing why.</summary>
internal sealed record FetchResponse(IReadOnlyList<StoredRecord> Records, string? Retry)
{
    public override string ToString() => $"fetched n{Records.Count} {Retry}";
}

/// <summary>A generic answer: done or not, with a reason.</summary>
internal sealed record Done(bool Ok, string? Why);
