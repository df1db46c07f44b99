using Xinfra.Simulator.Engine;

namespace Xinfra.Simulator.Cluster;

/// <summary>
/// The sans-IO replication core of one open segment on its leader (a model of DataPath/SegmentLeader): durable
/// ends per replica, the committed offset (durable on every replica), pending appends waiting for it, the
/// idempotence table per producer, and the sealing flag.
/// </summary>
internal sealed class LeaderModel(SegmentRef segment, long createdAt)
{
    public SegmentRef Segment => segment;

    public long CreatedAt => createdAt;

    /// <summary>Every record below this offset is durable on every replica.</summary>
    public long Committed { get; set; } = segment.BaseOffset;

    public bool Sealing { get; set; }

    public int Records { get; set; }

    public Dictionary<ulong, long> Durable { get; } = segment.Replicas.ToDictionary(r => r, _ => segment.BaseOffset);

    public Dictionary<ulong, long> SentEnd { get; } = segment.Replicas.ToDictionary(r => r, _ => segment.BaseOffset);

    public Queue<PendingAppend> Pending { get; } = new();

    /// <summary>Per producer: the last sequence appended and its offsets.</summary>
    public Dictionary<int, (long Sequence, long Base, long Last)> LastAppend { get; } = [];

    /// <summary>Callers waiting for an append's ack: (producer, sequence) → (caller, call id).</summary>
    public Dictionary<(int Producer, long Sequence), List<(int From, long CallId)>> Waiters { get; } = [];
}

/// <summary>An append not yet committed.</summary>
internal sealed record PendingAppend(int Producer, long Sequence, long Base, long End, long AppendedAt);
