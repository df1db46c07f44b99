using System.Text;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Ring;
using Xinfra.Northguard.Metadata.StateMachine;
using Xinfra.Simulator.Engine;
using Xinfra.Simulator.Runner;

namespace Xinfra.Simulator.Clients;

/// <summary>
/// A consumer of every workload topic: reads each range's segment chain in order (sealed segments from any replica
/// up to their end, the open one from its leader up to the committed offset), and a range's children only after all
/// of its parents were read to the end, which keeps per-key order across splits and merges.
/// </summary>
internal sealed class SimConsumer(SimWorld world, int id, int index, IReadOnlyList<string> topics) : SimClient(world, id)
{
    private readonly Dictionary<(string Topic, RangeId Range), long> _positions = [];
    private readonly HashSet<(string Topic, RangeId Range)> _finished = [];
    private readonly Dictionary<(string Topic, RangeId Range), long> _quietUntil = [];
    private long _skipCounter;

    /// <summary>How long a range whose open segment answered a fetch with nothing is left alone.</summary>
    internal static readonly long QuietRangeBackoff = SimLoop.Ms(150);

    public void Start()
    {
        foreach (string topic in topics)
        {
            World.Loop.Spawn($"consumer {index} {topic}", () => ConsumeAsync(topic));
        }
    }

    private async Task ConsumeAsync(string topic)
    {
        TopicDescription? description = null;
        long describedAt = 0;
        while (true)
        {
            if (description is null)
            {
                describedAt = World.Loop.Now;
                var (answered, found) = await Meta.DescribeAsync(topic);
                if (answered && found is null)
                {
                    return; // Deleted.
                }

                description = found;
                if (description is null)
                {
                    await World.Loop.Delay(SimLoop.Ms(100));
                    continue;
                }
            }

            bool progressed = false;
            bool stale = false;
            foreach (var range in description.Ranges)
            {
                var key = (topic, range.Id);
                if (_finished.Contains(key) || range.Parents.Any(p => !_finished.Contains((topic, p))))
                {
                    continue;
                }

                if (World.Loop.Now < _quietUntil.GetValueOrDefault(key))
                {
                    continue; // Its open segment had nothing new a moment ago: poll the busy ranges only.
                }

                var chain = Chain(description, range.Id);
                long position = _positions.GetValueOrDefault(key);
                long low = LowWatermark(chain);
                if (position < low)
                {
                    World.Trace.Write($"consumer {index} {topic} range {range.Id}: skips {position}..{low} (deleted by retention)");
                    _positions[key] = position = low;
                }

                int at = chain.FindIndex(c => c.Segment.State == SegmentState.Open || position < c.Segment.EndOffset);
                if (at < 0)
                {
                    if (range.State == RangeState.Retired)
                    {
                        _finished.Add(key);
                        World.Trace.Write($"consumer {index} finished {topic} range {range.Id} at {position}");
                        progressed = true;
                    }

                    continue;
                }

                var (segment, baseOffset) = chain[at];
                if (position < baseOffset)
                {
                    World.Checker.Fail($"consumer {index}: {topic} range {range.Id} position {position} is before segment {segment.Id} base {baseOffset}");
                    position = baseOffset;
                }

                var segmentRef = new SegmentRef(segment.Id, topic, baseOffset, [.. segment.Replicas]);
                bool sealedSegment = segment.State == SegmentState.Sealed;
                int target = sealedSegment ? (int)segment.Replicas[Random.Next(segment.Replicas.Count)] : (int)segment.Replicas[0];
                var reply = await Rpc.CallAsync(target, new FetchRequest(segmentRef, position, sealedSegment ? segment.EndOffset : null), SimLoop.Ms(400));
                if (reply is not FetchResponse fetched || fetched.Records.Count == 0)
                {
                    stale |= !sealedSegment && reply is not FetchResponse { Retry: null };
                    if (!sealedSegment && reply is FetchResponse { Retry: null })
                    {
                        _quietUntil[key] = World.Loop.Now + QuietRangeBackoff;
                    }

                    continue;
                }

                foreach (var record in fetched.Records)
                {
                    if (record.Offset != position)
                    {
                        World.Checker.Fail($"consumer {index}: {topic} segment {segment.Id} returned offset {record.Offset}, expected {position}");
                        break;
                    }

                    position++;
                    if (World.Options.Bugs.ConsumerSkipsRecords && ++_skipCounter % 500 == 0)
                    {
                        continue;
                    }

                    World.Checker.OnDeliver(index, topic, Encoding.UTF8.GetString(record.Record.Value.Span), Encoding.UTF8.GetString(record.Record.Key.Span));
                }

                _positions[key] = position;
                progressed = true;
            }

            if (!progressed)
            {
                // Nothing new: look at the metadata again only now and then (a seal, split or new segment shows there).
                if (stale || World.Loop.Now - describedAt >= SimLoop.Ms(500))
                {
                    description = null;
                }

                await World.Loop.Delay(SimLoop.Ms(150));
            }
            else
            {
                if (stale)
                {
                    description = null;
                }

                await World.Loop.Delay(SimLoop.Ms(40)); // Let records accumulate: fewer, larger fetches.
            }
        }
    }

    /// <summary>Positions per range, for diagnostics.</summary>
    public string Describe() => string.Join(' ', _positions.Select(p => $"{p.Key.Topic}/{p.Key.Range}@{p.Value}"));
}
