using Xinfra.Northguard.Client;
using Xinfra.Northguard.Metadata.Model;

namespace Xinfra.Northguard.Groups;

/// <summary>
/// One consumer group on one topic, in the coordinator's memory. A range has at most one owner; a range whose target
/// member changed is granted to the new member only once the old owner released it (stopped reporting it as held).
/// Not thread-safe: the coordinator calls it under its lock.
/// </summary>
internal sealed class GroupState(string group, string topic)
{
    private readonly SortedDictionary<string, Member> _members = new(StringComparer.Ordinal);
    private readonly Dictionary<ulong, string> _owners = [];

    public string Group { get; } = group;

    public string Topic { get; } = topic;

    public long Generation { get; private set; }

    public int MemberCount => _members.Count;

    public bool Contains(string member) => _members.ContainsKey(member);

    public void Join(string member, TimeSpan sessionTimeout, long now)
    {
        _members[member] = new Member(sessionTimeout) { LastSeen = now };
        Generation++;
    }

    public bool Leave(string member)
    {
        if (!_members.Remove(member))
        {
            return false;
        }

        foreach (var (range, owner) in _owners.ToArray())
        {
            if (owner == member)
            {
                _owners.Remove(range);
            }
        }

        Generation++;
        return true;
    }

    /// <summary>Members whose session expired at <paramref name="now"/>.</summary>
    public List<string> Expired(TimeProvider time, long now)
    {
        var expired = new List<string>();
        foreach (var (id, member) in _members)
        {
            if (time.GetElapsedTime(member.LastSeen, now) > member.SessionTimeout)
            {
                expired.Add(id);
            }
        }

        return expired;
    }

    /// <summary>
    /// Records a heartbeat: ownership follows what the member holds; returns its target ranges and grants it every
    /// target range nobody holds.
    /// </summary>
    public (List<ulong> Target, List<ulong> Granted) Heartbeat(string member, IReadOnlyCollection<ulong> held, IReadOnlyList<RangeInfo> ranges, long now)
    {
        _members[member].LastSeen = now;
        var heldSet = held as ISet<ulong> ?? new HashSet<ulong>(held);
        foreach (var (range, owner) in _owners.ToArray())
        {
            if (owner == member && !heldSet.Contains(range))
            {
                _owners.Remove(range);
            }
        }

        foreach (var range in held)
        {
            _owners.TryAdd(range, member);
        }

        var target = Target(member, ranges);
        var granted = new List<ulong>();
        foreach (var range in target)
        {
            if (_owners.TryAdd(range, member))
            {
                granted.Add(range);
            }
        }

        return (target, granted);
    }

    /// <summary>
    /// The ranges of <paramref name="member"/>: root ranges (no parents) are dealt by <see cref="NorthguardRangeAssignor"/>
    /// and every range follows the root of its first parent, so a split's children stay with the member that reads
    /// their parent (which keeps the parents-before-children order on one member).
    /// </summary>
    private List<ulong> Target(string member, IReadOnlyList<RangeInfo> ranges)
    {
        var byId = new Dictionary<ulong, RangeInfo>(ranges.Count);
        var roots = new List<ulong>();
        foreach (var range in ranges)
        {
            byId[range.Id.Value] = range;
            if (range.Parents.Count == 0)
            {
                roots.Add(range.Id.Value);
            }
        }

        var mine = new HashSet<ulong>(NorthguardRangeAssignor.Assign(roots, [.. _members.Keys], member));
        var target = new List<ulong>();
        foreach (var range in ranges)
        {
            var root = range;
            for (var hops = 0; root.Parents.Count > 0 && hops < ranges.Count && byId.TryGetValue(root.Parents[0].Value, out var parent); hops++)
            {
                root = parent;
            }

            if (mine.Contains(root.Id.Value))
            {
                target.Add(range.Id.Value);
            }
        }

        target.Sort();
        return target;
    }

    private sealed class Member(TimeSpan sessionTimeout)
    {
        public TimeSpan SessionTimeout { get; } = sessionTimeout;

        public long LastSeen { get; set; }
    }
}
