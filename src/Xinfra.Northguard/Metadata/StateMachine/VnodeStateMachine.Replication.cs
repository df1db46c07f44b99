using Xinfra.Northguard.Metadata.Commands;
using Xinfra.Northguard.Metadata.Model;

namespace Xinfra.Northguard.Metadata.StateMachine;

/// <summary>Re-replication of sealed segments that lost replicas.</summary>
public sealed partial class VnodeStateMachine
{
    /// <summary>
    /// Sealed segments with at least one replica on a broker that <paramref name="isLive"/> says is gone, in a stable
    /// order (by range id, then sequence), for the coordinator to re-replicate.
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
}
