using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.StateMachine;

namespace Xinfra.Northguard.Metadata.Service;

/// <summary>Lists a vnode's under-replicated sealed segments with their topic and base offset.</summary>
internal static class UnderReplicatedQuery
{
    public static void Collect(VnodeStateMachine state, IReadOnlySet<ulong> liveBrokers, List<UnderReplicatedSegment> into)
    {
        foreach (var segment in state.FindUnderReplicated(liveBrokers.Contains))
        {
            string topic = state.TryGetRange(segment.Id.Range, out var range) ? range.Topic : string.Empty;
            long baseOffset = segment.Id.Sequence > 0 && state.TryGetSegment(segment.Id with { Sequence = segment.Id.Sequence - 1 }, out var previous)
                ? previous.EndOffset
                : 0;
            into.Add(new UnderReplicatedSegment(topic, segment, baseOffset));
        }
    }

    /// <summary>Sorts by range then sequence, dropping duplicates (a segment reported by two brokers).</summary>
    public static IReadOnlyList<UnderReplicatedSegment> Ordered(List<UnderReplicatedSegment> segments)
    {
        var seen = new HashSet<SegmentId>();
        var result = new List<UnderReplicatedSegment>(segments.Count);
        foreach (var item in segments)
        {
            if (seen.Add(item.Segment.Id))
            {
                result.Add(item);
            }
        }

        result.Sort((a, b) => a.Segment.Id.Range.Value != b.Segment.Id.Range.Value
            ? a.Segment.Id.Range.Value.CompareTo(b.Segment.Id.Range.Value)
            : a.Segment.Id.Sequence.CompareTo(b.Segment.Id.Sequence));
        return result;
    }
}
