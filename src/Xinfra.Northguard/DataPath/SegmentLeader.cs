using Xinfra.Northguard.DataPath.Core;
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
    private readonly SegmentReplicationCore<ProduceSession> _core;
    private readonly HashSet<ProduceSession> _sessions = [];
    private readonly List<FollowerLink> _followers = [];
    private readonly long _origin;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
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
        _origin = engine.Time.GetTimestamp();
        var limits = new ReplicationLimits(policy.SegmentBytes, policy.SegmentAge, engine.Options.ReplicaTimeout, 4 * engine.Options.ProduceWindow);
        _core = new SegmentReplicationCore<ProduceSession>(baseOffset, replicas, engine.BrokerId, limits, TimeSpan.Zero);
        foreach (ulong replica in replicas)
        {
            if (replica != engine.BrokerId)
            {
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
                return _core.Committed;
            }
        }
    }

    public bool IsSealing
    {
        get
        {
            lock (_lock)
            {
                return _core.IsSealing;
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
            return !_core.IsSealing && _sessions.Add(session);
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
        SealDecision? full;
        bool waitLocal;
        long last;
        long taken = LeaderStageMetrics.Enabled ? _engine.Time.GetTimestamp() : 0;
        lock (_lock)
        {
            var admission = _core.Admit(session, producerId, sequence, Now);
            switch (admission.Kind)
            {
                case AdmissionKind.Sealed:
                    return AppendOutcome.Sealed;
                case AdmissionKind.Gap:
                    return AppendOutcome.Gap(admission.ExpectedSequence);
                case AdmissionKind.DuplicateCommitted:
                    session.SendAcks([new AckedAppend(sequence, admission.BaseOffset)]);
                    return AppendOutcome.Duplicate;
                case AdmissionKind.DuplicatePending:
                    return AppendOutcome.Duplicate;
            }

            var result = _engine.Store.AppendWalked(StoreId, batch.Bytes.Span, batch.RecordCount);
            last = result.LastOffset;
            full = _core.OnAppended(session, producerId, sequence, result.BaseOffset, last + 1, batch.Bytes.Length, Now);
            TimeAppended(last + 1, taken, batch.RecordCount);
            // The same bytes to every follower: each stamps its own copy with the base offset.
            var message = new ReplicateRequest { Append = new ReplicateAppend { BaseOffset = result.BaseOffset, Batch = batch.Bytes, PooledBatch = batch.Pooled } };
            foreach (var follower in _followers)
            {
                // One reference per queued write, released by the follower's pump once the bytes are on its stream.
                batch.Pooled?.AddReference();
                if (!follower.Send(message))
                {
                    batch.Pooled?.Release();
                }
            }

            waitLocal = !_waitingLocal;
            _waitingLocal = true;
        }

        if (waitLocal)
        {
            _ = WaitLocalAsync();
        }

        if (full is { } decision)
        {
            _ = SealAsync(decision.ToString());
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
        var appends = new (long Sequence, long BaseOffset)[stored.Count];
        for (int i = 0; i < appends.Length; i++)
        {
            appends[i] = (stored[i].Sequence, stored[i].BaseOffset);
        }

        lock (_lock)
        {
            _core.InitProducer(producerId, firstSequence, appends);
        }
    }

    public bool HasProducer(ulong producerId)
    {
        lock (_lock)
        {
            return _core.HasProducer(producerId);
        }
    }

    /// <summary>Now, for the core: the time since this leader started.</summary>
    private TimeSpan Now => _engine.Time.GetElapsedTime(_origin);

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
                    next = _core.DurableEnd(_engine.BrokerId);
                    if (_core.IsSealing || next >= _core.AppendedEnd)
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
}
