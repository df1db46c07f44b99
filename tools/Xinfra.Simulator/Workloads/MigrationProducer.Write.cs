using Xinfra.Northguard.Client;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Ring;
using Xinfra.Northguard.Metadata.StateMachine;
using Xinfra.Northguard.Storage;
using Xinfra.Simulator.Engine;

namespace Xinfra.Simulator.Workloads;

/// <summary>Writing one batch of one key to a physical topic, as SimProducer does: until acknowledged or the process dies.</summary>
internal sealed partial class MigrationProducer
{
    // Per writer and range, as SimProducer and the engine's producer count them: a leader sees one producer's appends
    // to its range in order, so a sequence shared across ranges would look like a gap there.
    private readonly Dictionary<(int Writer, string Topic, RangeId Range), long> _sequences = [];

    /// <summary>
    /// Sends the batch to the open segment of the key's range; the same sequence while the segment stays the same (so
    /// the leader's idempotence table recognises a retry), a new one after a seal (the at-least-once window). Returns
    /// the range (the partition of the source coordinates) and the batch's first offset, or null once the process died.
    /// </summary>
    private async Task<(long Partition, long BaseOffset)?> WriteAsync(string topic, List<(string Id, LogRecord Record)> batch, int writer, Func<bool> alive)
    {
        TopicDescription? description = null;
        SegmentId? sentTo = null;
        long sequence = 0;
        int failures = 0;
        ulong hash = NorthguardKeyHash.Of(batch[0].Record.Key.Span);
        while (alive())
        {
            if (topic == MigrationControl.Target.Name && World.Loop.Now < control.TargetDownUntil)
            {
                await World.Loop.Delay(SimLoop.Ms(100)); // The target cluster does not answer.
                continue;
            }

            if (description is null)
            {
                (_, description) = await Meta.DescribeAsync(topic);
                if (description is null)
                {
                    await World.Loop.Delay(SimLoop.Ms(100));
                    continue;
                }
            }

            var range = description.Ranges.FirstOrDefault(r => r.State == RangeState.Active && r.KeyStart <= hash && hash <= r.KeyEnd);
            if (range is null)
            {
                description = null;
                await World.Loop.Delay(SimLoop.Ms(50));
                continue;
            }

            var chain = Chain(description, range.Id);
            if (chain.Count == 0 || chain[^1].Segment.State == SegmentState.Sealed)
            {
                var opened = await Rpc.CallAsync(AnyBroker(), new OpenSegmentRequest(topic, range.Id, description.Topic.Policy.ReplicationFactor), SimLoop.Ms(800));
                description = null;
                if (opened is not Done { Ok: true })
                {
                    await World.Loop.Delay(SimLoop.Ms(250));
                }

                continue;
            }

            var (info, baseOffset) = chain[^1];
            var segment = new SegmentRef(info.Id, topic, baseOffset, [.. info.Replicas]);
            if (sentTo != segment.Id)
            {
                sentTo = segment.Id;
                sequence = _sequences[(writer, topic, range.Id)] = _sequences.GetValueOrDefault((writer, topic, range.Id)) + 1;
                foreach (var (recordId, _) in batch)
                {
                    checker.OnAttempt(recordId, topic, segment.Id);
                }
            }

            var reply = await Rpc.CallAsync((int)segment.Replicas[0], new ProduceRequest(segment, writer, sequence, [.. batch.Select(b => b.Record)]), SimLoop.Ms(600));
            if (!alive())
            {
                return null;
            }

            switch (reply)
            {
                case ProduceResponse { Status: ProduceStatus.Ok } ok:
                    if (ok.LastOffset - ok.BaseOffset + 1 != batch.Count)
                    {
                        checker.Fail($"producer {index}: ack for {batch.Count} records on {topic} covers offsets {ok.BaseOffset}..{ok.LastOffset}");
                    }

                    return ((long)range.Id.Value, ok.BaseOffset);
                default:
                    failures = await RecoverFromRefusalAsync(reply, segment, failures);
                    description = null;
                    break;
            }
        }

        return null;
    }
}
