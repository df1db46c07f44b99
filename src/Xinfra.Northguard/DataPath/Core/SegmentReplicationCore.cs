namespace Xinfra.Northguard.DataPath.Core;

/// <summary>
/// The replication bookkeeping of one open segment on its leader, sans IO: which appends each replica reported
/// durable, the committed offset (durable on every replica), the appends waiting for it, the per-producer
/// idempotence table, and when to seal. It holds no lock, starts no task, reads no clock (time comes in as a value)
/// and touches no store or network: the caller appends to its store, streams to the followers, and acts on the
/// values returned. The engine's <c>SegmentLeader</c> calls it under its lock; the simulator calls it on its loop.
/// </summary>
/// <typeparam name="TToken">The caller's handle on a producer waiting for an ack.</typeparam>
public sealed partial class SegmentReplicationCore<TToken>
{
    private readonly ulong _leader;
    private readonly ReplicationLimits _limits;
    private readonly TimeSpan _createdAt;
    private readonly Dictionary<ulong, long> _durable = [];
    private readonly Dictionary<ulong, long> _sentEnd = [];
    private readonly Queue<PendingAppend<TToken>> _pending = new();
    private readonly Dictionary<ulong, ProducerSequences> _producers = [];
    private long _size;

    /// <summary>Starts the bookkeeping of a segment that has no record yet.</summary>
    /// <param name="baseOffset">The segment's first offset.</param>
    /// <param name="replicas">Every replica, the leader included.</param>
    /// <param name="leader">This broker, the leader (one of <paramref name="replicas"/>).</param>
    /// <param name="limits">When to seal and how many sequences to remember.</param>
    /// <param name="createdAt">Now, on the caller's clock.</param>
    public SegmentReplicationCore(long baseOffset, IReadOnlyList<ulong> replicas, ulong leader, ReplicationLimits limits, TimeSpan createdAt)
    {
        ArgumentNullException.ThrowIfNull(replicas);
        ArgumentOutOfRangeException.ThrowIfNegative(baseOffset);
        limits.Validate();
        if (!replicas.Contains(leader))
        {
            throw new ArgumentException($"The leader {leader} is not one of the replicas [{string.Join(',', replicas)}].", nameof(leader));
        }

        _leader = leader;
        _limits = limits;
        _createdAt = createdAt;
        BaseOffset = baseOffset;
        AppendedEnd = baseOffset;
        Committed = baseOffset;
        foreach (ulong replica in replicas)
        {
            if (!_durable.TryAdd(replica, baseOffset))
            {
                throw new ArgumentException($"Replica {replica} is listed twice.", nameof(replicas));
            }

            if (replica != leader)
            {
                _sentEnd[replica] = baseOffset;
            }
        }
    }

    /// <summary>The segment's first offset.</summary>
    public long BaseOffset { get; }

    /// <summary>The offset after the last record appended on the leader (and handed to the followers).</summary>
    public long AppendedEnd { get; private set; }

    /// <summary>Every record below this offset is durable on every replica.</summary>
    public long Committed { get; private set; }

    /// <summary>True once <see cref="Seal"/> ran: no append is admitted and no ack is sent any more.</summary>
    public bool IsSealing { get; private set; }

    /// <summary>True while some append waits for its ack.</summary>
    public bool HasPending => _pending.Count > 0;

    /// <summary>The durable end a replica last reported (the leader's own included).</summary>
    public long DurableEnd(ulong replica) => _durable[replica];

    /// <summary>The end of what was handed to a follower's stream.</summary>
    public long SentEnd(ulong follower) => _sentEnd[follower];

    /// <summary>
    /// Decides what to do with an append of <paramref name="producerId"/>: append it, refuse it (sealing, gap), or
    /// recognise a resend (acknowledge now, or queue <paramref name="token"/> behind the original).
    /// </summary>
    public Admission Admit(TToken token, ulong producerId, long sequence, TimeSpan now)
    {
        if (IsSealing)
        {
            return Admission.Sealed;
        }

        var producer = Producer(producerId, sequence);
        if (sequence <= producer.LastSequence)
        {
            if (!producer.TryGet(sequence, out long baseOffset, out long end))
            {
                return Admission.Gap(producer.LastSequence + 1);
            }

            if (end <= Committed)
            {
                return Admission.Duplicate(AdmissionKind.DuplicateCommitted, baseOffset, end);
            }

            _pending.Enqueue(new PendingAppend<TToken>(token, sequence, baseOffset, end, now));
            return Admission.Duplicate(AdmissionKind.DuplicatePending, baseOffset, end);
        }

        return sequence == producer.LastSequence + 1 ? Admission.Append : Admission.Gap(producer.LastSequence + 1);
    }

    /// <summary>
    /// An admitted append is in the leader's store at [<paramref name="baseOffset"/>, <paramref name="end"/>) and was
    /// handed to every follower's stream. Returns a size-limit seal when the segment is now full.
    /// </summary>
    /// <param name="token">Who waits for the ack.</param>
    /// <param name="producerId">The producer.</param>
    /// <param name="sequence">The sequence <see cref="Admit"/> admitted.</param>
    /// <param name="baseOffset">The offset of the append's first record.</param>
    /// <param name="end">The offset after its last record.</param>
    /// <param name="size">The append's size, in the unit of <see cref="ReplicationLimits.MaxSize"/>.</param>
    /// <param name="now">Now, on the caller's clock.</param>
    public SealDecision? OnAppended(TToken token, ulong producerId, long sequence, long baseOffset, long end, long size, TimeSpan now)
    {
        if (IsSealing)
        {
            throw new InvalidOperationException("An append was reported after the segment started sealing.");
        }

        if (baseOffset != AppendedEnd || end <= baseOffset)
        {
            throw new ArgumentException($"Append [{baseOffset}, {end}) does not continue the segment at {AppendedEnd}.", nameof(baseOffset));
        }

        Producer(producerId, sequence).Record(sequence, baseOffset, end, _limits.IdempotenceWindow);
        AppendedEnd = end;
        _size += size;
        _pending.Enqueue(new PendingAppend<TToken>(token, sequence, baseOffset, end, now));
        foreach (ulong follower in _durable.Keys)
        {
            if (follower != _leader)
            {
                _sentEnd[follower] = end;
            }
        }

        return _size >= _limits.MaxSize ? new SealDecision(SealCause.SizeLimit, 0) : null;
    }

    private ProducerSequences Producer(ulong producerId, long sequence)
    {
        if (!_producers.TryGetValue(producerId, out var producer))
        {
            // A producer new to this segment starts wherever it is; resends across segments are matched by the caller.
            producer = new ProducerSequences(sequence - 1);
            _producers[producerId] = producer;
        }

        return producer;
    }
}
