using Xinfra.Northguard.Metadata.Commands;
using Xinfra.Northguard.Metadata.Model;

namespace Xinfra.Northguard.Metadata.StateMachine;

/// <summary>
/// Retention by age: the coordinator asks <see cref="RetentionDue"/> what has expired and proposes the answer; applying
/// it marks a prefix of a range's sealed segments <see cref="SegmentState.Deleted"/>. Deciding on the leader and
/// checking again on apply keeps every replica identical however late the proposal commits.
/// </summary>
public sealed partial class VnodeStateMachine
{
    /// <summary>
    /// The deletions retention calls for at <paramref name="nowUnixMs"/> (the coordinator's clock): per range, the
    /// longest prefix of segments each deleted already or sealed more than the topic's
    /// <see cref="StoragePolicy.RetentionTime"/> ago. A segment whose seal time is unknown, or that is open, ends the
    /// prefix: the records after it are never deleted before it.
    /// </summary>
    public IReadOnlyList<DeleteSegmentsCommand> RetentionDue(long nowUnixMs)
    {
        var due = new List<DeleteSegmentsCommand>();
        foreach (var topic in _topics.Values)
        {
            if (topic.Policy.RetentionTime is not { } retention)
            {
                continue;
            }

            long cutoff = nowUnixMs - (long)retention.TotalMilliseconds;
            foreach (var rangeId in topic.Ranges)
            {
                var range = _ranges[rangeId];
                int through = -1;
                bool anyNew = false;
                for (int s = 0; s < range.SegmentCount; s++)
                {
                    var segment = _segments[new SegmentId(rangeId, s)];
                    bool expired = segment.State == SegmentState.Sealed && segment.SealedAtUnixMs >= 0 && segment.SealedAtUnixMs <= cutoff;
                    if (segment.State != SegmentState.Deleted && !expired)
                    {
                        break;
                    }

                    anyNew |= expired;
                    through = s;
                }

                if (anyNew)
                {
                    due.Add(new DeleteSegmentsCommand(rangeId, through));
                }
            }
        }

        return due;
    }

    private MetadataResult DeleteSegments(DeleteSegmentsCommand c)
    {
        if (!_ranges.TryGetValue(c.Range, out var range))
        {
            return MetadataResult.Fail(MetadataStatus.UnknownRange, $"Range {c.Range} does not exist.");
        }

        if (c.ThroughSequence < 0 || c.ThroughSequence >= range.SegmentCount)
        {
            return MetadataResult.Fail(MetadataStatus.Invalid, $"Range {c.Range} has no segment {c.ThroughSequence}.");
        }

        for (int s = 0; s <= c.ThroughSequence; s++)
        {
            if (_segments[new SegmentId(c.Range, s)].State == SegmentState.Open)
            {
                return MetadataResult.Fail(MetadataStatus.Invalid, $"Segment {new SegmentId(c.Range, s)} is open: only sealed segments are deleted.");
            }
        }

        for (int s = 0; s <= c.ThroughSequence; s++)
        {
            var id = new SegmentId(c.Range, s);
            _segments[id] = _segments[id] with { State = SegmentState.Deleted };
        }

        return Ok([]);
    }
}
