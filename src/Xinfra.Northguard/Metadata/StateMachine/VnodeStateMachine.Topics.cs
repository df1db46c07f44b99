using Xinfra.Northguard.Metadata.Commands;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Ring;

namespace Xinfra.Northguard.Metadata.StateMachine;

/// <summary>Topic lifecycle.</summary>
public sealed partial class VnodeStateMachine
{
    /// <summary>The longest topic name accepted.</summary>
    public const int MaxTopicNameLength = 249;

    private MetadataResult CreateTopic(CreateTopicCommand c)
    {
        if (string.IsNullOrWhiteSpace(c.Name) || c.Name.Length > MaxTopicNameLength)
        {
            return MetadataResult.Fail(MetadataStatus.Invalid, $"A topic name has 1 to {MaxTopicNameLength} characters.");
        }

        if (c.Policy.Validate() is { } problem)
        {
            return MetadataResult.Fail(MetadataStatus.Invalid, problem);
        }

        if (c.InitialRanges is < 1 or > 1024)
        {
            return MetadataResult.Fail(MetadataStatus.Invalid, "A topic starts with 1 to 1024 ranges.");
        }

        if (_topics.ContainsKey(c.Name))
        {
            return MetadataResult.Fail(MetadataStatus.TopicExists, $"Topic '{c.Name}' exists.");
        }

        var ids = new RangeId[c.InitialRanges];
        for (int i = 0; i < ids.Length; i++)
        {
            ulong start = (ulong)(((UInt128)i << 64) / (uint)ids.Length);
            ulong end = i == ids.Length - 1 ? ulong.MaxValue : (ulong)(((UInt128)(i + 1) << 64) / (uint)ids.Length) - 1;
            ids[i] = NewRangeId();
            _ranges[ids[i]] = new RangeInfo(ids[i], c.Name, start, end, RangeState.Active, [], [], 0);
        }

        _topics[c.Name] = new TopicInfo(c.Name, c.Policy, ids);
        return Ok(ids);
    }

    private MetadataResult DeleteTopic(DeleteTopicCommand c)
    {
        if (!_topics.Remove(c.Name, out var topic))
        {
            return MetadataResult.Fail(MetadataStatus.UnknownTopic, $"Topic '{c.Name}' does not exist.");
        }

        _acls.Remove(c.Name);

        foreach (var id in topic.Ranges)
        {
            if (_ranges.Remove(id, out var range))
            {
                for (int s = 0; s < range.SegmentCount; s++)
                {
                    _segments.Remove(new SegmentId(id, s));
                }
            }
        }

        return Ok([]);
    }

    private void AddRangesToTopic(string topic, IReadOnlyList<RangeId> added)
    {
        var info = _topics[topic];
        _topics[topic] = info with { Ranges = [.. info.Ranges, .. added] };
    }
}
