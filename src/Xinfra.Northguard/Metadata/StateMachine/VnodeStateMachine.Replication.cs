using Xinfra.Northguard.Metadata.Commands;
using Xinfra.Northguard.Metadata.Model;

namespace Xinfra.Northguard.Metadata.StateMachine;

/// <summary>Re-replication of sealed segments that lost replicas.</summary>
public sealed partial class VnodeStateMachine
{
    /// <summary>
    /// Sealed segments with at least one replica on a broker that <paramref name="isLive"/> says is gone, or with fewer
    /// replicas than their topic's replication factor (opened while brokers were down), in a stable order (by range id,
    /// then sequence), for the coordinator to re-replicate.
    /// </summary>
    public IReadOnlyList<SegmentInfo> FindUnderReplicated(Func<ulong, bool> isLive)
    {
        ArgumentNullException.ThrowIfNull(isLive);
        var result = new List<SegmentInfo>();
        foreach (var segment in _segments.Values)
        {
            if (segment.State != SegmentState.Sealed)
            {
                continue;
            }

            if (_ranges.TryGetValue(segment.Id.Range, out var range) && _topics.TryGetValue(range.Topic, out var topic)
                && segment.Replicas.Count < topic.Policy.ReplicationFactor)
            {
                result.Add(segment);
                continue;
            }

            foreach (ulong replica in segment.Replicas)
            {
                if (!isLive(replica))
                {
                    result.Add(segment);
                    break;
                }
            }
        }

        result.Sort((a, b) => a.Id.Range.Value != b.Id.Range.Value
            ? a.Id.Range.Value.CompareTo(b.Id.Range.Value)
            : a.Id.Sequence.CompareTo(b.Id.Sequence));
        return result;
    }

    private MetadataResult ReplaceReplica(ReplaceReplicaCommand c)
    {
        if (!_segments.TryGetValue(c.Segment, out var segment))
        {
            return MetadataResult.Fail(MetadataStatus.UnknownRange, $"Segment {c.Segment} does not exist.");
        }

        if (c.From == 0)
        {
            return AddReplica(c, segment);
        }

        if (segment.State != SegmentState.Sealed || c.To == 0 || !segment.Replicas.Contains(c.From) || segment.Replicas.Contains(c.To))
        {
            return MetadataResult.Fail(MetadataStatus.Invalid,
                $"Segment {c.Segment} must be sealed, hold a replica on {c.From} and none on {c.To}.");
        }

        var replicas = new ulong[segment.Replicas.Count];
        for (int i = 0; i < replicas.Length; i++)
        {
            replicas[i] = segment.Replicas[i] == c.From ? c.To : segment.Replicas[i];
        }

        _segments[c.Segment] = segment with { Replicas = replicas };
        return Ok([], c.Segment);
    }

    /// <summary>From 0: a segment opened with fewer replicas than its replication factor gains one that copied it.</summary>
    private MetadataResult AddReplica(ReplaceReplicaCommand c, SegmentInfo segment)
    {
        int rf = _ranges.TryGetValue(c.Segment.Range, out var range) && _topics.TryGetValue(range.Topic, out var topic) ? topic.Policy.ReplicationFactor : 0;
        if (segment.State != SegmentState.Sealed || c.To == 0 || segment.Replicas.Contains(c.To) || segment.Replicas.Count >= rf)
        {
            return MetadataResult.Fail(MetadataStatus.Invalid,
                $"Segment {c.Segment} must be sealed, below its replication factor ({rf}) and not on {c.To} to gain a replica.");
        }

        _segments[c.Segment] = segment with { Replicas = [.. segment.Replicas, c.To] };
        return Ok([], c.Segment);
    }
}
