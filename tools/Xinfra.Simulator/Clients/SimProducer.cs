using System.Text;
using Xinfra.Northguard.Client;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.StateMachine;
using Xinfra.Northguard.Storage;
using Xinfra.Simulator.Engine;
using Xinfra.Simulator.Runner;

namespace Xinfra.Simulator.Clients;

/// <summary>
/// A producer on every workload topic: records of a few keys each, routed by key hash to the active range, sent in
/// order one batch at a time per topic (so per-key order holds), retried with the same sequence on the same segment
/// (idempotent) and re-sent to the next segment after a seal (the at-least-once window). Sequences count per range,
/// as the real client's range producers do: the leader's core refuses a gap in a producer's sequences.
/// </summary>
internal sealed class SimProducer(SimWorld world, int id, int index, IReadOnlyList<string> topics) : SimClient(world, id)
{
    private readonly Dictionary<string, Queue<(string Id, LogRecord Record)>> _queues = [];
    private readonly Dictionary<string, TaskCompletionSource> _wakeups = [];
    private long _n;

    public bool Stopped { get; private set; }

    public long StopAt { get; set; } = long.MaxValue;

    public void Start()
    {
        for (int t = 0; t < topics.Count; t++)
        {
            string topic = topics[t];
            _queues[topic] = new Queue<(string, LogRecord)>();
            int producerId = (index * 64) + t;
            World.Loop.Spawn($"producer {index} sender {topic}", () => SendLoopAsync(topic, producerId));
        }

        World.Loop.Spawn($"producer {index}", GenerateAsync);
    }

    private async Task GenerateAsync()
    {
        while (World.Loop.Now < StopAt)
        {
            await World.Loop.Delay(SimLoop.Ms(10 + Random.Next(50)));
            string topic = topics[Random.Next(topics.Count)];
            string key = $"k{Random.Next(8)}";
            long n = ++_n;
            string value = $"p{index}:{n}";
            World.Checker.OnSent(value, topic, key, index, n);
            var record = new LogRecord(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value), Clock.GetUtcNow().ToUnixTimeMilliseconds());
            _queues[topic].Enqueue((value, record));
            if (_wakeups.Remove(topic, out var wake))
            {
                wake.TrySetResult();
            }
        }

        Stopped = true;
    }

    private static Xinfra.Northguard.Metadata.Ring.RangeId? RangeOf(TopicDescription description, List<(string Id, LogRecord Record)> batch)
    {
        ulong first = NorthguardKeyHash.Of(batch[0].Record.Key.Span);
        ulong last = NorthguardKeyHash.Of(batch[^1].Record.Key.Span);
        foreach (var range in description.Ranges)
        {
            if (range.State == RangeState.Active && range.KeyStart <= first && first <= range.KeyEnd)
            {
                // Every record of the batch must still fall in one active range.
                return batch.All(b => NorthguardKeyHash.Of(b.Record.Key.Span) is var h && h >= range.KeyStart && h <= range.KeyEnd) && last >= range.KeyStart ? range.Id : null;
            }
        }

        return null;
    }

    /// <summary>The segment of <paramref name="chain"/> whose offsets include <paramref name="offset"/>, if any.</summary>
    private static SegmentId? HolderOf(List<(Xinfra.Northguard.Metadata.Model.SegmentInfo Segment, long Base)> chain, long offset)
    {
        foreach (var (info, start) in chain)
        {
            if (info.State != SegmentState.Open && start <= offset && offset < info.EndOffset)
            {
                return info.Id;
            }
        }

        return null;
    }

    /// <summary>True when every record generated so far was acknowledged.</summary>
    public bool Idle => _queues.Values.All(q => q.Count == 0);

    private async Task SendLoopAsync(string topic, int producerId)
    {
        var queue = _queues[topic];
        TopicDescription? description = null;
        long sequence = 0;
        var sequences = new Dictionary<Xinfra.Northguard.Metadata.Ring.RangeId, long>();
        var ackedEnds = new Dictionary<Xinfra.Northguard.Metadata.Ring.RangeId, long>();
        var resent = new HashSet<SegmentId>(); // Segments the in-flight batch was resent to (retries stay resends).
        (List<(string Id, LogRecord Record)> Batch, SegmentId Segment)? inFlight = null;
        int failures = 0;
        while (true)
        {
            if (queue.Count == 0)
            {
                var wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _wakeups[topic] = wake;
                await wake.Task;
                continue;
            }

            if (description is null)
            {
                var (answered, found) = await Meta.DescribeAsync(topic);
                description = found;
                if (description is null)
                {
                    await World.Loop.Delay(SimLoop.Ms(answered ? 500 : 100));
                    continue;
                }
            }

            var (headId, head) = queue.Peek();
            ulong hash = NorthguardKeyHash.Of(head.Key.Span);
            var range = description.Ranges.FirstOrDefault(r => r.State == RangeState.Active && r.KeyStart <= hash && hash <= r.KeyEnd);
            if (range is null)
            {
                description = null;
                await World.Loop.Delay(SimLoop.Ms(50));
                continue;
            }

            // The batch in flight is resent unchanged (same records, same sequence) while its segment stays the same,
            // so the leader's idempotence table recognises a retry; only a new segment gets a re-formed batch.
            var batch = new List<(string Id, LogRecord Record)>();
            if (inFlight is { } previous && previous.Batch[0].Id == headId && RangeOf(description, previous.Batch) == range.Id)
            {
                batch = previous.Batch;
            }
            else
            {
                foreach (var item in queue)
                {
                    ulong h = NorthguardKeyHash.Of(item.Record.Key.Span);
                    if (batch.Count == 8 || h < range.KeyStart || h > range.KeyEnd)
                    {
                        break;
                    }

                    batch.Add(item);
                }
            }

            var chain = Chain(description, range.Id);
            if (chain.Count == 0 || chain[^1].Segment.State != SegmentState.Open) // Sealed, or sealed and deleted by retention
            {
                var opened = await Rpc.CallAsync(AnyBroker(), new OpenSegmentRequest(topic, range.Id, description.Topic.Policy.ReplicationFactor), SimLoop.Ms(800));
                description = null;
                if (opened is not Done { Ok: true })
                {
                    await World.Loop.Delay(SimLoop.Ms(250));
                }

                continue;
            }

            var (segmentInfo, baseOffset) = chain[^1];
            var segment = new SegmentRef(segmentInfo.Id, topic, baseOffset, [.. segmentInfo.Replicas]);
            bool resend = false;
            if (inFlight is not { } a || a.Segment != segment.Id || !ReferenceEquals(a.Batch, batch))
            {
                if (inFlight is { } b && ReferenceEquals(b.Batch, batch) && b.Segment.Range == range.Id)
                {
                    // The same batch on a later segment of its range: the same sequence, flagged as a resend, so the
                    // leader finds it in the earlier segment if it was stored there (DataPathEngine.Resend.cs).
                    resend = true;
                }
                else
                {
                    sequence = sequences.GetValueOrDefault(range.Id) + 1;
                    sequences[range.Id] = sequence;
                }

                inFlight = (batch, segment.Id);
                foreach (var (recordId, _) in batch)
                {
                    World.Checker.OnAttempt(recordId, segment.Id);
                }
            }

            resend |= resent.Contains(segment.Id);
            if (resend)
            {
                resent.Add(segment.Id);
            }

            var request = new ProduceRequest(segment, producerId, sequence, [.. batch.Select(b => b.Record)], resend, ackedEnds.GetValueOrDefault(range.Id));
            var reply = await Rpc.CallAsync((int)segment.Replicas[0], request, SimLoop.Ms(600));
            switch (reply)
            {
                case ProduceResponse { Status: ProduceStatus.Ok } ok:
                    if (ok.LastOffset - ok.BaseOffset + 1 != batch.Count)
                    {
                        World.Checker.Fail($"producer {index}: ack for {batch.Count} records covers offsets {ok.BaseOffset}..{ok.LastOffset}");
                    }

                    // A resend found in an earlier sealed segment is acknowledged at its offsets there.
                    var ackedIn = ok.BaseOffset >= segment.BaseOffset ? segment.Id : HolderOf(chain, ok.BaseOffset) ?? segment.Id;
                    foreach (var (recordId, _) in batch)
                    {
                        queue.Dequeue();
                        World.Checker.OnAck(recordId, ackedIn);
                    }

                    inFlight = null;
                    failures = 0;
                    resent.Clear();
                    ackedEnds[range.Id] = Math.Max(ackedEnds.GetValueOrDefault(range.Id), ok.LastOffset + 1);
                    break;
                default:
                    failures = await RecoverFromRefusalAsync(reply, segment, failures);
                    description = null;
                    break;
            }
        }
    }
}
