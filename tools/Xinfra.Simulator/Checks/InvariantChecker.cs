using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Tests.Raft.Linearizability;
using Xinfra.Simulator.Engine;

namespace Xinfra.Simulator.Checks;

/// <summary>
/// The run's oracle. Producers report sends, attempts and acks; consumers report deliveries; brokers report Raft
/// leaders and applied entries; the admin reports document operations. Violations are collected with the simulated
/// time; <see cref="CheckEnd"/> runs the end-of-run checks.
/// </summary>
internal sealed class InvariantChecker(SimLoop loop, TraceLog trace)
{
    private readonly Dictionary<string, SentRecord> _sent = new(StringComparer.Ordinal);
    private readonly Dictionary<int, ConsumerView> _consumers = [];
    private readonly Dictionary<(int Vnode, long Term), ulong> _leaders = [];
    private readonly Dictionary<(int Vnode, long Index), (long Term, int Hash)> _applied = [];

    private GroupChecker? _groups;

    public List<string> Failures { get; } = [];

    /// <summary>The consumer-group checks (they share the sent-record oracle).</summary>
    public GroupChecker Groups => _groups ??= new GroupChecker(this);

    public List<KvOperation> Documents { get; } = [];

    public long Acked { get; private set; }

    public long Delivered { get; private set; }

    public long Duplicates { get; private set; }

    public void Fail(string what)
    {
        if (Failures.Count < 50)
        {
            Failures.Add($"t={loop.Now / TimeSpan.TicksPerMillisecond}ms {what}");
        }

        trace.Write($"VIOLATION {what}");
    }

    /// <summary>A notable event for the trace (not a violation).</summary>
    public void Trace(string what) => trace.Write(what);

    public void OnSent(string id, string topic, string key, int producer, long n) =>
        _sent[id] = new SentRecord(topic, key, producer, n);

    /// <summary>The producer sends the record to <paramref name="segment"/> (a retry to a new segment opens the at-least-once window).</summary>
    public void OnAttempt(string id, SegmentId segment)
    {
        _sent[id].Segments.Add(segment);
        _sent[id].Last = segment;
    }

    /// <summary>
    /// Segments the metadata marks deleted (retention): an acknowledged record acked into one of them is exempt from
    /// "delivered to every consumer" — exactly those records, never more.
    /// </summary>
    public Func<IReadOnlySet<SegmentId>> DeletedSegments { get; set; } = () => new HashSet<SegmentId>();

    /// <summary>Acknowledged records exempt at the last check because retention deleted their segment.</summary>
    public long Expired { get; private set; }

    /// <summary>
    /// The record is acknowledged. <paramref name="segment"/> is the segment holding the acknowledged offsets when the
    /// producer knows it differs from its latest attempt: a resend found in an earlier sealed segment is acknowledged
    /// at its offset there (DataPathEngine.Resend.cs), so retention deleting that segment expires it.
    /// </summary>
    public void OnAck(string id, SegmentId? segment = null)
    {
        var record = _sent[id];
        record.AckedIn = segment ?? record.Last;
        if (!record.Acked)
        {
            record.Acked = true;
            Acked++;
        }
    }

    public void OnDeliver(int consumer, string topic, string value, string key)
    {
        Delivered++;
        if (!_sent.TryGetValue(value, out var record) || record.Topic != topic || record.Key != key)
        {
            Fail($"consumer {consumer} got a record never sent: {topic}/{key}={value}");
            return;
        }

        if (!_consumers.TryGetValue(consumer, out var view))
        {
            _consumers[consumer] = view = new ConsumerView();
        }

        if (!view.Seen.Add(value))
        {
            Duplicates++;
            // A resend within a range is found in the earlier sealed segments and acknowledged, not rewritten (the
            // engine's DataPathEngine.Resend.cs, mirrored by the broker model): only a record re-sent to another range
            // after a split or merge, or after retention deleted the segment it was first sent to, may be stored twice.
            if (record.Segments.Select(s => s.Range).Distinct().Count() < 2 && !record.Segments.Overlaps(DeletedSegments()))
            {
                Fail($"consumer {consumer} got {topic}/{key}={value} twice, but it was only ever sent to one range and none of its segments ({string.Join(", ", record.Segments)}) was deleted");
            }

            return;
        }

        var order = (record.Producer, topic, key);
        if (view.LastN.TryGetValue(order, out long last) && last > record.N)
        {
            Fail($"consumer {consumer}: per-key order broken on {topic}/{key}: record #{record.N} of producer {record.Producer} after #{last}");
        }

        view.LastN[order] = Math.Max(last, record.N);
    }

    public void ObserveLeader(int vnode, long term, ulong leader)
    {
        if (_leaders.TryGetValue((vnode, term), out var other) && other != leader)
        {
            Fail($"election safety: vnode {vnode} term {term} has leaders {other} and {leader}");
        }

        _leaders[(vnode, term)] = leader;
    }

    public void ObserveApply(int vnode, int broker, long index, long term, int hash)
    {
        if (_applied.TryGetValue((vnode, index), out var seen))
        {
            if (seen != (term, hash))
            {
                Fail($"state machine safety: vnode {vnode} index {index} applied differently on broker {broker}");
            }
        }
        else
        {
            _applied[(vnode, index)] = (term, hash);
        }
    }

    /// <summary>Acknowledged records of <paramref name="liveTopics"/> that <paramref name="consumer"/> has not delivered.</summary>
    public List<string> Missing(int consumer, IReadOnlySet<string> liveTopics)
    {
        var seen = _consumers.TryGetValue(consumer, out var view) ? view.Seen : [];
        var missing = new List<string>();
        foreach (var (id, topic, key) in AckedRecords(liveTopics))
        {
            if (!seen.Contains(id))
            {
                missing.Add($"{topic}/{key}={id}");
            }
        }

        return missing;
    }

    /// <summary>True when <see cref="Missing"/> would be empty for <paramref name="consumer"/>, without building it.</summary>
    public bool DeliveredAll(int consumer, IReadOnlySet<string> liveTopics) =>
        AllAckedIn(_consumers.TryGetValue(consumer, out var view) ? view.Seen : [], liveTopics);

    /// <summary>
    /// True when every acknowledged record of <paramref name="liveTopics"/> (but those <see cref="AckedRecords"/>
    /// leaves out as deleted by retention) is in <paramref name="seen"/>: the drain check, polled while the run drains,
    /// so it stops at the first record missing and reads the deleted segments only when one is.
    /// </summary>
    public bool AllAckedIn(IReadOnlySet<string> seen, IReadOnlySet<string> liveTopics)
    {
        IReadOnlySet<SegmentId>? deleted = null;
        foreach (var (id, record) in _sent)
        {
            if (!record.Acked || !liveTopics.Contains(record.Topic) || seen.Contains(id))
            {
                continue;
            }

            deleted ??= DeletedSegments();
            if (record.AckedIn is not { } ackedIn || !deleted.Contains(ackedIn))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>What the oracle knows of a record value: its topic, key, producer, number, ack, and segments it was sent to.</summary>
    public (string Topic, string Key, int Producer, long N, bool Acked, int Segments)? Lookup(string id) =>
        _sent.TryGetValue(id, out var r) ? (r.Topic, r.Key, r.Producer, r.N, r.Acked, r.Segments.Count) : null;

    /// <summary>Every acknowledged record of <paramref name="liveTopics"/>, in send order.</summary>
    public IEnumerable<(string Id, string Topic, string Key)> AckedRecords(IReadOnlySet<string> liveTopics)
    {
        var deleted = DeletedSegments();
        long expired = 0;
        var acked = new List<(string, string, string)>();
        foreach (var (id, record) in _sent)
        {
            if (!record.Acked || !liveTopics.Contains(record.Topic))
            {
                continue;
            }

            if (record.AckedIn is { } ackedIn && deleted.Contains(ackedIn))
            {
                expired++;
                continue;
            }

            acked.Add((id, record.Topic, record.Key));
        }

        Expired = expired;
        return acked;
    }

    /// <summary>End of run: every acked record delivered to every consumer, and the document history linearizable.</summary>
    public void CheckEnd(int consumers, IReadOnlySet<string> liveTopics)
    {
        for (int c = 0; c < consumers; c++)
        {
            var missing = Missing(c, liveTopics);
            if (missing.Count > 0)
            {
                Fail($"consumer {c}: {missing.Count} acknowledged records never delivered (lost or consumer stuck), e.g. {string.Join(' ', missing.Take(5))}");
            }
        }

        if (!LinearizabilityChecker.IsLinearizable(Documents, out var key))
        {
            Fail($"metadata documents: the history of key '{key}' is not linearizable ({Documents.Count} operations)");
        }
    }

    private sealed class SentRecord(string topic, string key, int producer, long n)
    {
        public string Topic => topic;

        public string Key => key;

        public int Producer => producer;

        public long N => n;

        public bool Acked { get; set; }

        public HashSet<SegmentId> Segments { get; } = [];

        /// <summary>The segment of the latest attempt.</summary>
        public SegmentId? Last { get; set; }

        /// <summary>The segment holding the acknowledged offsets: the latest attempt's, or an earlier one a resend was found in.</summary>
        public SegmentId? AckedIn { get; set; }
    }

    private sealed class ConsumerView
    {
        public HashSet<string> Seen { get; } = new(StringComparer.Ordinal);

        public Dictionary<(int Producer, string Topic, string Key), long> LastN { get; } = [];
    }
}
