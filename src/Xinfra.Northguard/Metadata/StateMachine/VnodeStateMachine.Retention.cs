using Xinfra.Northguard.Metadata.Commands;
using Xinfra.Northguard.Metadata.Model;

namespace Xinfra.Northguard.Metadata.StateMachine;

/// <summary>
/// Retention by age and size: the coordinator asks <see cref="RetentionDue"/> what has expired and proposes the answer; applying
/// it marks a prefix of a range's sealed segments <see cref="SegmentState.Deleted"/>. Deciding on the leader and
/// checking again on apply keeps every replica identical however late the proposal commits.
/// </summary>
public sealed partial class VnodeStateMachine
{
    /// <summary>
    /// The deletions retention calls for at <paramref name="nowUnixMs"/> (the coordinator's clock), per range: the
    /// longest prefix of segments each deleted already or sealed more than the topic's
    /// <see cref="StoragePolicy.RetentionTime"/> ago, then, while the sealed segments left hold more than
    /// <see cref="StoragePolicy.RetentionBytes"/>, the oldest of them. An open segment, or a seal time or size that is
    /// unknown, ends the prefix: records are never deleted before older ones.
    /// </summary>
    public IReadOnlyList<DeleteSegmentsCommand> RetentionDue(long nowUnixMs)
    {
        var due = new List<DeleteSegmentsCommand>();
        foreach (var topic in _topics.Values)
        {
            var policy = topic.Policy;
            if (policy.RetentionTime is null && policy.RetentionBytes is null)
            {
                continue;
            }

            long cutoff = policy.RetentionTime is { } retention ? nowUnixMs - (long)retention.TotalMilliseconds : long.MinValue;
            foreach (var rangeId in topic.Ranges)
            {
                var range = _ranges[rangeId];
                var chain = new SegmentInfo[range.SegmentCount];
                for (int s = 0; s < chain.Length; s++)
                {
                    chain[s] = _segments[new SegmentId(rangeId, s)];
                }

                int through = -1;
                bool anyNew = false;
                for (int s = 0; s < chain.Length; s++)
                {
                    bool expired = chain[s].State == SegmentState.Sealed && chain[s].SealedAtUnixMs >= 0 && chain[s].SealedAtUnixMs <= cutoff;
                    if (chain[s].State != SegmentState.Deleted && !expired)
                    {
                        break;
                    }

                    anyNew |= expired;
                    through = s;
                }

                if (policy.RetentionBytes is { } budget)
                {
                    long kept = chain.Skip(through + 1).Where(s => s.State == SegmentState.Sealed && s.SizeBytes >= 0).Sum(s => s.SizeBytes);
                    for (int s = through + 1; s < chain.Length && kept > budget && chain[s].State == SegmentState.Sealed && chain[s].SizeBytes >= 0; s++)
                    {
                        kept -= chain[s].SizeBytes;
                        through = s;
                        anyNew = true;
                    }
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
