using Xinfra.Northguard.Metadata.Commands;
using Xinfra.Northguard.Metadata.Model;

namespace Xinfra.Northguard.Metadata.StateMachine;

/// <summary>Range split and merge, and segment open and seal.</summary>
public sealed partial class VnodeStateMachine
{
    private MetadataResult Split(SplitRangeCommand c)
    {
        if (!_ranges.TryGetValue(c.Range, out var parent))
        {
            return MetadataResult.Fail(MetadataStatus.UnknownRange, $"Range {c.Range} does not exist.");
        }

        if (ActiveWithoutOpenSegment(parent) is { } problem)
        {
            return problem;
        }

        if (c.At <= parent.KeyStart || c.At > parent.KeyEnd)
        {
            return MetadataResult.Fail(MetadataStatus.Invalid, $"Split point {c.At} is not inside range {c.Range}.");
        }

        var left = NewRangeId();
        var right = NewRangeId();
        _ranges[left] = new RangeInfo(left, parent.Topic, parent.KeyStart, c.At - 1, RangeState.Active, [parent.Id], [], 0);
        _ranges[right] = new RangeInfo(right, parent.Topic, c.At, parent.KeyEnd, RangeState.Active, [parent.Id], [], 0);
        _ranges[parent.Id] = parent with { State = RangeState.Retired, Children = [left, right] };
        AddRangesToTopic(parent.Topic, [left, right]);
        return Ok([left, right]);
    }

    private MetadataResult Merge(MergeRangesCommand c)
    {
        if (!_ranges.TryGetValue(c.Left, out var left) || !_ranges.TryGetValue(c.Right, out var right))
        {
            return MetadataResult.Fail(MetadataStatus.UnknownRange, "Both ranges must exist.");
        }

        if ((ActiveWithoutOpenSegment(left) ?? ActiveWithoutOpenSegment(right)) is { } problem)
        {
            return problem;
        }

        if (left.Topic != right.Topic || left.KeyEnd == ulong.MaxValue || left.KeyEnd + 1 != right.KeyStart)
        {
            return MetadataResult.Fail(MetadataStatus.Invalid, "Only adjacent ranges of one topic merge (left, then right).");
        }

        var child = NewRangeId();
        _ranges[child] = new RangeInfo(child, left.Topic, left.KeyStart, right.KeyEnd, RangeState.Active, [left.Id, right.Id], [], 0);
        _ranges[left.Id] = left with { State = RangeState.Retired, Children = [child] };
        _ranges[right.Id] = right with { State = RangeState.Retired, Children = [child] };
        AddRangesToTopic(left.Topic, [child]);
        return Ok([child]);
    }

    private MetadataResult OpenSegment(OpenSegmentCommand c)
    {
        if (!_ranges.TryGetValue(c.Range, out var range))
        {
            return MetadataResult.Fail(MetadataStatus.UnknownRange, $"Range {c.Range} does not exist.");
        }

        if (ActiveWithoutOpenSegment(range) is { } problem)
        {
            return problem;
        }

        // Fewer than the replication factor, down to a majority of it, when brokers are down (like Kafka's shrunk ISR):
        // the segment is topped up by re-replication once sealed.
        int rf = _topics[range.Topic].Policy.ReplicationFactor;
        int least = MinimumReplicas(rf);
        if (c.Replicas.Count < least || c.Replicas.Count > rf || c.Replicas.Contains(0UL) || c.Replicas.Distinct().Count() != c.Replicas.Count)
        {
            return MetadataResult.Fail(MetadataStatus.Invalid,
                least == rf ? $"A segment of '{range.Topic}' needs {rf} distinct replicas." : $"A segment of '{range.Topic}' needs {least} to {rf} distinct replicas.");
        }

        var id = new SegmentId(range.Id, range.SegmentCount);
        _segments[id] = new SegmentInfo(id, SegmentState.Open, [.. c.Replicas], -1);
        _ranges[range.Id] = range with { SegmentCount = range.SegmentCount + 1 };
        return Ok([], id);
    }

    private MetadataResult SealSegment(SealSegmentCommand c)
    {
        if (!_segments.TryGetValue(c.Segment, out var segment))
        {
            return MetadataResult.Fail(MetadataStatus.UnknownRange, $"Segment {c.Segment} does not exist.");
        }

        if (segment.State != SegmentState.Open || c.EndOffset < 0)
        {
            return MetadataResult.Fail(MetadataStatus.Invalid, $"Segment {c.Segment} is sealed or the end offset is negative.");
        }

        _segments[c.Segment] = segment with { State = SegmentState.Sealed, EndOffset = c.EndOffset, SealedAtUnixMs = c.SealedAtUnixMs, SizeBytes = c.SizeBytes };
        return Ok([], c.Segment);
    }

    /// <summary>The fewest replicas a segment of a topic with replication factor <paramref name="rf"/> opens on: a majority.</summary>
    public static int MinimumReplicas(int rf) => rf / 2 + 1;

    /// <summary>Split, merge and open need an active range whose last segment (if any) is sealed.</summary>
    private MetadataResult? ActiveWithoutOpenSegment(RangeInfo range)
    {
        if (range.State != RangeState.Active)
        {
            return MetadataResult.Fail(MetadataStatus.Invalid, $"Range {range.Id} is retired.");
        }

        if (range.SegmentCount > 0 && _segments[new SegmentId(range.Id, range.SegmentCount - 1)].State == SegmentState.Open)
        {
            return MetadataResult.Fail(MetadataStatus.Invalid, $"Range {range.Id} has an open segment; seal it first.");
        }

        return null;
    }
}
