using Xinfra.Northguard.Metadata.Commands;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Ring;

namespace Xinfra.Northguard.Metadata.StateMachine;

/// <summary>
/// The metadata of one vnode (its topics, their ranges and segments), changed only by applying committed
/// <see cref="MetadataCommand"/>s in log order. Deterministic: every replica reaches the same state and results.
/// </summary>
public sealed partial class VnodeStateMachine
{
    private readonly Dictionary<string, TopicInfo> _topics = new(StringComparer.Ordinal);
    private readonly Dictionary<RangeId, RangeInfo> _ranges = [];
    private readonly Dictionary<SegmentId, SegmentInfo> _segments = [];
    private long _nextRangeSequence;

    /// <summary>Creates the empty state of <paramref name="vnode"/>.</summary>
    public VnodeStateMachine(int vnode)
    {
        Vnode = vnode;
    }

    /// <summary>The vnode this state belongs to.</summary>
    public int Vnode { get; }

    /// <summary>The number of topics.</summary>
    public int TopicCount => _topics.Count;

    /// <summary>Looks a topic up.</summary>
    public bool TryGetTopic(string name, out TopicInfo topic) => _topics.TryGetValue(name, out topic!);

    /// <summary>Looks a range up.</summary>
    public bool TryGetRange(RangeId id, out RangeInfo range) => _ranges.TryGetValue(id, out range!);

    /// <summary>Looks a segment up.</summary>
    public bool TryGetSegment(SegmentId id, out SegmentInfo segment) => _segments.TryGetValue(id, out segment!);

    /// <summary>The topic's ranges (active and retired) and all their segments.</summary>
    public TopicDescription? Describe(string name)
    {
        if (!_topics.TryGetValue(name, out var topic))
        {
            return null;
        }

        var ranges = new List<RangeInfo>(topic.Ranges.Count);
        var segments = new List<SegmentInfo>();
        foreach (var id in topic.Ranges)
        {
            var range = _ranges[id];
            ranges.Add(range);
            for (int s = 0; s < range.SegmentCount; s++)
            {
                segments.Add(_segments[new SegmentId(id, s)]);
            }
        }

        return new TopicDescription(topic, ranges, segments);
    }

    /// <summary>Applies a committed command; failures change nothing and say why.</summary>
    public MetadataResult Apply(MetadataCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return command switch
        {
            CreateTopicCommand c => CreateTopic(c),
            DeleteTopicCommand c => DeleteTopic(c),
            SplitRangeCommand c => Split(c),
            MergeRangesCommand c => Merge(c),
            OpenSegmentCommand c => OpenSegment(c),
            SealSegmentCommand c => SealSegment(c),
            DeleteSegmentsCommand c => DeleteSegments(c),
            ReplaceReplicaCommand c => ReplaceReplica(c),
            SetAclCommand c => SetAcl(c),
            PutDocumentCommand c => PutDocument(c),
            _ => MetadataResult.Fail(MetadataStatus.Invalid, "Unknown command."),
        };
    }

    /// <summary>Applies a committed log payload; an undecodable one fails the same way on every replica.</summary>
    public MetadataResult Apply(ReadOnlyMemory<byte> data)
    {
        MetadataCommand command;
        try
        {
            command = MetadataCommandCodec.Decode(data);
        }
        catch (FormatException e)
        {
            return MetadataResult.Fail(MetadataStatus.Invalid, e.Message);
        }

        return Apply(command);
    }

    private RangeId NewRangeId() => RangeId.Create(Vnode, _nextRangeSequence++);

    private static MetadataResult Ok(IReadOnlyList<RangeId> ranges, SegmentId? segment = null) => new(MetadataStatus.Ok, null, ranges, segment);
}

/// <summary>A topic with its ranges and segments.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Ranges">Its ranges, active and retired, in creation order.</param>
/// <param name="Segments">Every segment of those ranges.</param>
public sealed record TopicDescription(TopicInfo Topic, IReadOnlyList<RangeInfo> Ranges, IReadOnlyList<SegmentInfo> Segments);
