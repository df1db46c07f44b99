using Xinfra.Northguard.Client;
using Xinfra.Northguard.Metadata.Model;

namespace Xinfra.Northguard.Groups;

/// <summary>
/// One consumer group on one topic, in the coordinator's memory. A range has at most one owner; a range whose target
/// member changed is granted to the new member only once the old owner released it (stopped reporting it as held).
/// A coordinator that takes a group over (a restart, or a move when its live view changed) knows nothing of the
/// previous coordinator's grants, so it withholds grants until every lease that coordinator gave out has expired
/// (<see cref="WithholdGrantsUntil"/>, <see cref="TakeoverGrace"/>); members stop reading a range once a session
/// timeout passed without an acknowledged heartbeat (<c>NorthguardTransportConsumer</c>'s lease).
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

    /// <summary>No range is granted before this timestamp (the takeover grace); <see cref="long.MinValue"/>: none.</summary>
    public long GrantsFrom { get; private set; } = long.MinValue;

    /// <summary>
    /// How long a coordinator that takes a group over waits before granting: the session timeout (the longest a member
    /// of the previous coordinator keeps reading after its last acknowledged heartbeat was sent) plus a tenth of it
    /// as margin for clock rate differences between hosts.
    /// </summary>
    public static TimeSpan TakeoverGrace(TimeSpan sessionTimeout) => sessionTimeout + (sessionTimeout / 10);

    /// <summary>The longest session timeout of the members (zero without members).</summary>
    public TimeSpan LongestSessionTimeout => _members.Count == 0 ? TimeSpan.Zero : _members.Values.Max(m => m.SessionTimeout);

    /// <summary>Withholds grants until <paramref name="timestamp"/> (never shortens an earlier grace).</summary>
    public void WithholdGrantsUntil(long timestamp) => GrantsFrom = Math.Max(GrantsFrom, timestamp);

    /// <summary>Drops the grace: only when no coordinator ever granted this group (no lease can be outstanding).</summary>
    public void ClearGrace() => GrantsFrom = long.MinValue;

    public bool Contains(string member) => _members.ContainsKey(member);

    public void Join(string member, TimeSpan sessionTimeout, long now)
    {
        _members[member] = new Member(sessionTimeout) { LastSeen = now, LastReceived = now };
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

    /// <summary>
    /// A grant's lease claim finished (<paramref name="claimed"/>: its epoch was written). True when the grant may be
    /// sent: claimed, and the range is still assigned to <paramref name="member"/> (a later heartbeat may have freed it
    /// or given it to another member while the claim was in flight). Otherwise frees the range if the member still
    /// owns it, for a later heartbeat. The coordinator and the simulator's model both decide through this.
    /// </summary>
    public bool CompleteGrant(string member, ulong range, bool claimed)
    {
        bool owns = _owners.TryGetValue(range, out var owner) && owner == member;
        if (claimed && owns)
        {
            return true;
        }

        Release(member, range);
        return false;
    }

    /// <summary>Frees <paramref name="range"/> if <paramref name="member"/> owns it (its grant could not be completed).</summary>
    public void Release(string member, ulong range)
    {
        if (_owners.TryGetValue(range, out var owner) && owner == member)
        {
            _owners.Remove(range);
        }
    }

    /// <summary>
    /// A heartbeat of <paramref name="member"/> arrived at <paramref name="now"/>: the member is alive, even if the
    /// coordinator then takes longer than its session timeout to read the topic before applying the heartbeat.
    /// </summary>
    public void Seen(string member, long now)
    {
        if (_members.TryGetValue(member, out var state) && now > state.LastSeen)
        {
            state.LastSeen = now;
        }
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
    /// target range nobody holds. <paramref name="receivedAt"/> is when the heartbeat arrived (default
    /// <paramref name="now"/>): the coordinator reads the topic between arrival and this call, so two heartbeats of
    /// one member can get here out of order. One that arrived before a heartbeat (or the join) already applied is
    /// stale — its held set predates grants the member has since received — and changes nothing: applying it would
    /// release ranges the member still reads and let them be granted to another member. Without
    /// <paramref name="mayGrant"/> (the coordinator could not record its grant marker) nothing is granted.
    /// </summary>
    public (List<ulong> Target, List<ulong> Granted) Heartbeat(string member, IReadOnlyCollection<ulong> held, IReadOnlyList<RangeInfo> ranges, long now, long? receivedAt = null, bool mayGrant = true)
    {
        var state = _members[member];
        long arrived = receivedAt ?? now;
        if (arrived < state.LastReceived)
        {
            return (Target(member, ranges), []);
        }

        state.LastReceived = arrived;
        state.LastSeen = Math.Max(state.LastSeen, now);
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
        if (!mayGrant || now < GrantsFrom)
        {
            // Takeover grace: a member of the previous coordinator may still read any range nobody reports here.
            return (target, granted);
        }

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
    /// The ranges of <paramref name="member"/>. Ranges linked by lineage form a family — a root with the children of
    /// its splits, and every range a merge joined (a merged child has two parents, so both parents' families become
    /// one). Families are dealt by <see cref="NorthguardRangeAssignor"/> under their smallest range id, and all of a
    /// family's ranges go to one member: the member that reads a child has read each of its parents to the end, which
    /// keeps per-key order across splits and merges.
    /// </summary>
    private List<ulong> Target(string member, IReadOnlyList<RangeInfo> ranges)
    {
        var family = new Dictionary<ulong, ulong>(ranges.Count);
        foreach (var range in ranges)
        {
            family[range.Id.Value] = range.Id.Value;
        }

        foreach (var range in ranges)
        {
            foreach (var parent in range.Parents)
            {
                if (family.ContainsKey(parent.Value))
                {
                    Join(family, range.Id.Value, parent.Value);
                }
            }
        }

        var representatives = ranges.Select(r => Find(family, r.Id.Value)).Distinct().Order().ToList();
        var mine = new HashSet<ulong>(NorthguardRangeAssignor.Assign(representatives, [.. _members.Keys], member));
        var target = ranges.Where(r => mine.Contains(Find(family, r.Id.Value))).Select(r => r.Id.Value).ToList();
        target.Sort();
        return target;
    }

    private static ulong Find(Dictionary<ulong, ulong> family, ulong id)
    {
        while (family[id] != id)
        {
            family[id] = family[family[id]];
            id = family[id];
        }

        return id;
    }

    /// <summary>Joins two families under the smaller id, so a family's name does not depend on the order of joins.</summary>
    private static void Join(Dictionary<ulong, ulong> family, ulong a, ulong b)
    {
        ulong ra = Find(family, a);
        ulong rb = Find(family, b);
        if (ra != rb)
        {
            family[Math.Max(ra, rb)] = Math.Min(ra, rb);
        }
    }

    private sealed class Member(TimeSpan sessionTimeout)
    {
        public TimeSpan SessionTimeout { get; } = sessionTimeout;

        public long LastSeen { get; set; }

        /// <summary>Arrival time of the newest heartbeat applied (or of the join).</summary>
        public long LastReceived { get; set; }
    }
}
