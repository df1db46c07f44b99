using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Ring;
using Xinfra.Northguard.Metadata.StateMachine;
using Xinfra.Northguard.Storage;
using Xinfra.Simulator.Engine;

namespace Xinfra.Simulator.Workloads;

/// <summary>Reading the epochs' ranges: each range's segment chain in order, as SimConsumer reads (the topics are not split).</summary>
internal sealed partial class MigrationConsumer
{
    private readonly Dictionary<string, (TopicDescription Description, long At)> _descriptions = new(StringComparer.Ordinal);

    /// <summary>
    /// One round over this member's ranges (every <see cref="MigrationGroup.Members"/>-th) of the epoch it reads, from
    /// the group's committed positions; what it delivers it commits in the same step. True when something was read.
    /// </summary>
    private async Task<bool> ReadAsync(bool fromTarget)
    {
        string topic = fromTarget ? MigrationControl.Target.Name : MigrationControl.Source.Name;
        var description = await DescribeAsync(topic);
        if (description is null)
        {
            return false;
        }

        bool progressed = false;
        for (int r = member; r < description.Ranges.Count; r += group.Members)
        {
            var range = description.Ranges[r];
            long partition = (long)range.Id.Value;
            if (_waiting || ReadsTarget != fromTarget)
            {
                break; // The phase changed while this round awaited a fetch.
            }

            var positions = fromTarget ? group.CommittedTarget : group.CommittedSource;
            long position = positions.GetValueOrDefault(partition);
            var records = await FetchAsync(description, range.Id, position);
            if (records is null)
            {
                _descriptions.Remove(topic);
                continue;
            }

            if (!fromTarget && records.Count > 0 && !DeferralStillHolds())
            {
                break; // The group cut over while this member deferred: nothing of the source is delivered.
            }

            foreach (var record in records)
            {
                if (record.Offset != position)
                {
                    checker.Fail($"consumer {index}: {topic} range {range.Id} returned offset {record.Offset}, expected {position}");
                    break;
                }

                position++;
                Deliver(partition, record, fromTarget);
            }

            positions[partition] = position;
            progressed |= records.Count > 0;
        }

        return progressed;
    }

    /// <summary>
    /// SourceOnlyRecordsAsync: true when every source record past this member's positions carries the dual-write
    /// header, false when one does not (the flip must wait), null when the source could not be read to its end.
    /// </summary>
    private async Task<bool?> SourceTailIsDualWrittenAsync(Dictionary<long, long> floor)
    {
        _descriptions.Remove(MigrationControl.Source.Name);
        var description = await DescribeAsync(MigrationControl.Source.Name);
        if (description is null)
        {
            return null;
        }

        foreach (var range in description.Ranges)
        {
            long position = floor.GetValueOrDefault((long)range.Id.Value);
            for (int fetches = 0; ; fetches++)
            {
                var records = fetches < 20 ? await FetchAsync(description, range.Id, position) : null;
                if (records is null)
                {
                    return null;
                }

                if (records.Count == 0)
                {
                    break;
                }

                if (records.Any(r => !r.Record.Headers.Any(h => h.Name == RecordHeaderNames.Phase)))
                {
                    return false;
                }

                position = records[^1].Offset + 1;
            }
        }

        return true;
    }

    private async Task<TopicDescription?> DescribeAsync(string topic)
    {
        if (_descriptions.TryGetValue(topic, out var cached) && World.Loop.Now - cached.At < SimLoop.Ms(500))
        {
            return cached.Description;
        }

        var (_, description) = await Meta.DescribeAsync(topic);
        if (description is not null)
        {
            _descriptions[topic] = (description, World.Loop.Now);
        }

        return description;
    }

    /// <summary>Records of a range from <paramref name="position"/>: empty when there is nothing new, null when the view is stale or the read failed.</summary>
    private async Task<IReadOnlyList<StoredRecord>?> FetchAsync(TopicDescription description, RangeId range, long position)
    {
        var chain = Chain(description, range);
        int at = chain.FindIndex(c => c.Segment.State == SegmentState.Open || position < c.Segment.EndOffset);
        if (at < 0)
        {
            // Every segment sealed and read: a new one opens with the next write (seen after a refresh).
            return World.Loop.Now - _descriptions.GetValueOrDefault(description.Topic.Name).At >= SimLoop.Ms(200) ? null : [];
        }

        var (segment, baseOffset) = chain[at];
        var segmentRef = new SegmentRef(segment.Id, description.Topic.Name, baseOffset, [.. segment.Replicas]);
        bool sealedSegment = segment.State == SegmentState.Sealed;
        int from = sealedSegment ? (int)segment.Replicas[Random.Next(segment.Replicas.Count)] : (int)segment.Replicas[0];
        var reply = await Rpc.CallAsync(from, new FetchRequest(segmentRef, position, sealedSegment ? segment.EndOffset : null), SimLoop.Ms(400));
        return reply switch
        {
            FetchResponse { Records.Count: > 0 } fetched => fetched.Records,
            FetchResponse { Retry: null } when !sealedSegment => [],
            _ => null,
        };
    }
}
