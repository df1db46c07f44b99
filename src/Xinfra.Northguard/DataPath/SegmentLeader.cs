using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Protocol;

namespace Xinfra.Northguard.DataPath;

/// <summary>
/// The leader of one open segment: appends to the local store, streams each append to the followers, and
/// acknowledges an append to its producer only once every replica reported it durable. Sealing stops it.
/// </summary>
internal sealed partial class SegmentLeader
{
    private readonly DataPathEngine _engine;
    private readonly Lock _lock = new();
    private readonly Dictionary<ulong, long> _durable = [];
    private readonly Dictionary<ulong, long> _sentEnd = [];
    private readonly Queue<Pending> _pending = new();
    private readonly Dictionary<ulong, ProducerState> _producers = [];
    private readonly HashSet<ProduceSession> _sessions = [];
    private readonly List<FollowerLink> _followers = [];
    private readonly long _createdAt;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _appendedEnd;
    private long _appendedBytes;
    private long _committed;
    private bool _sealing;
    private bool _waitingLocal;
    private TaskCompletionSource? _sealed;

    public SegmentLeader(DataPathEngine engine, SegmentId id, string topic, long baseOffset, IReadOnlyList<ulong> replicas, StoragePolicy policy)
    {
        _engine = engine;
        Id = id;
        StoreId = StoreIds.Of(id);
        Topic = topic;
        BaseOffset = baseOffset;
        Replicas = replicas;
        Policy = policy;
        _appendedEnd = baseOffset;
        _committed = baseOffset;
        _createdAt = engine.Time.GetTimestamp();
        foreach (ulong replica in replicas)
        {
            _durable[replica] = baseOffset;
            if (replica != engine.BrokerId)
            {
                _sentEnd[replica] = baseOffset;
                _followers.Add(new FollowerLink(engine, this, replica));
            }
        }
    }

    public SegmentId Id { get; }

    public long StoreId { get; }

    public string Topic { get; }

    public long BaseOffset { get; }

    public IReadOnlyList<ulong> Replicas { get; }

    public StoragePolicy Policy { get; }

    /// <summary>The offset below which every record is durable on every replica (readable by consumers).</summary>
    public long Committed
    {
        get
        {
            lock (_lock)
            {
                return _committed;
            }
        }
    }

    public bool IsSealing
    {
        get
        {
            lock (_lock)
            {
                return _sealing;
            }
        }
    }

    /// <summary>Completes when the committed offset moves or the segment starts sealing.</summary>
    public Task Changed
    {
        get
        {
            lock (_lock)
            {
                return _changed.Task;
            }
        }
    }

    public void Start()
    {
        _engine.Store.CreateSegment(StoreId, Topic, BaseOffset);
        foreach (var follower in _followers)
        {
            follower.Start(new ReplicateOpen { Topic = Topic, StoreSegmentId = StoreId, BaseOffset = BaseOffset, LeaderId = _engine.BrokerId });
        }

        _ = MonitorAsync();
    }

    /// <summary>Registers a produce stream; false when the segment is already sealing.</summary>
    public bool Attach(ProduceSession session)
    {
        lock (_lock)
        {
            return !_sealing && _sessions.Add(session);
        }
    }

    public void Detach(ProduceSession session)
    {
        lock (_lock)
        {
            _sessions.Remove(session);
        }
    }

    /// <summary>Appends one producer append; acks follow through <paramref name="session"/>.</summary>
    public AppendOutcome Append(ProduceSession session, ulong producerId, long sequence, AppendBatch batch)
    {
        bool full;
        bool waitLocal;
        long last;
        lock (_lock)
        {
            if (_sealing)
            {
                return AppendOutcome.Sealed;
            }

            if (!_producers.TryGetValue(producerId, out var producer))
            {
                producer = new ProducerState(sequence - 1);
                _producers[producerId] = producer;
            }

            if (sequence <= producer.LastSequence)
            {
                return Duplicate(session, producer, sequence);
            }

            if (sequence != producer.LastSequence + 1)
            {
                return AppendOutcome.Gap(producer.LastSequence + 1);
            }

            var result = _engine.Store.AppendWalked(StoreId, batch.Bytes.Span, batch.RecordCount);
            last = result.LastOffset;
            producer.Record(sequence, result.BaseOffset, last + 1, _engine.Options.ProduceWindow);
            _appendedEnd = last + 1;
            _appendedBytes += batch.Bytes.Length;
            _pending.Enqueue(new Pending(session, sequence, result.BaseOffset, last + 1, _engine.Time.GetTimestamp()));
            // The same bytes to every follower: each stamps its own copy with the base offset.
            var message = new ReplicateRequest { Append = new ReplicateAppend { BaseOffset = result.BaseOffset, Batch = batch.Bytes } };
            foreach (var follower in _followers)
            {
                _sentEnd[follower.Replica] = last + 1;
                follower.Send(message);
            }

            full = _appendedBytes >= Policy.SegmentBytes;
            waitLocal = !_waitingLocal;
            _waitingLocal = true;
        }

        if (waitLocal)
        {
            _ = WaitLocalAsync();
        }

        if (full)
        {
            _ = SealAsync("size limit reached");
        }

        return AppendOutcome.Appended;
    }

    /// <summary>
    /// Sets a producer's starting point the first time it opens a stream on this segment: appends before
    /// <paramref name="firstSequence"/> were acknowledged; <paramref name="stored"/> are later ones already in the
    /// previous segment (found by <see cref="ProducerSequenceHeader"/>), acknowledged again rather than rewritten.
    /// </summary>
    public void InitProducer(ulong producerId, long firstSequence, IReadOnlyList<AckedAppend> stored)
    {
        lock (_lock)
        {
            if (_producers.TryGetValue(producerId, out var known))
            {
                // The producer knows every append before firstSequence was acknowledged (on an earlier segment).
                known.SkipTo(firstSequence);
                return;
            }

            var producer = new ProducerState(firstSequence - 1);
            foreach (var append in stored)
            {
                if (append.Sequence == producer.LastSequence + 1)
                {
                    producer.Record(append.Sequence, append.BaseOffset, BaseOffset, _engine.Options.ProduceWindow);
                }
            }

            _producers[producerId] = producer;
        }
    }

    public bool HasProducer(ulong producerId)
    {
        lock (_lock)
        {
            return _producers.ContainsKey(producerId);
        }
    }

    private AppendOutcome Duplicate(ProduceSession session, ProducerState producer, long sequence)
    {
        if (!producer.Offsets.TryGetValue(sequence, out var offsets))
        {
            return AppendOutcome.Gap(producer.LastSequence + 1);
        }

        if (offsets.End <= _committed)
        {
            session.SendAcks([new AckedAppend(sequence, offsets.Base)]);
        }
        else
        {
            _pending.Enqueue(new Pending(session, sequence, offsets.Base, offsets.End, _engine.Time.GetTimestamp()));
        }

        return AppendOutcome.Duplicate;
    }

    /// <summary>
    /// Reports the leader's own durable end: one waiter per segment (not one per append), waiting for the first
    /// offset not yet durable and then reporting everything its group commit made durable at once.
    /// </summary>
    private async Task WaitLocalAsync()
    {
        try
        {
            while (true)
            {
                long next;
                lock (_lock)
                {
                    next = _durable[_engine.BrokerId];
                    if (_sealing || next >= _appendedEnd)
                    {
                        _waitingLocal = false;
                        return;
                    }
                }

                await _engine.Store.WaitForDurableAsync(StoreId, next, _engine.Stopping).ConfigureAwait(false);
                long end = _engine.Store.GetSegment(StoreId)?.NextOffset ?? next + 1;
                OnDurable(_engine.BrokerId, Math.Max(end, next + 1));
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            DataPathLog.ReplicaFailed(_engine.Logger, _engine.BrokerId, Id.ToString(), e);
            _ = SealAsync("the leader's store failed");
        }
        catch (OperationCanceledException)
        {
            // Broker stopping.
        }
    }

    private readonly record struct Pending(ProduceSession Session, long Sequence, long Base, long End, long AppendedAt);
}
