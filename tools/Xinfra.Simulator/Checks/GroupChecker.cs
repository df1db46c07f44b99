namespace Xinfra.Simulator.Checks;

/// <summary>
/// The consumer-group oracle. Coordinators report grants; members report the ranges they hold and release, where
/// they start reading, what they deliver, ranges read to the end and committed positions. Checks: a range is held by
/// one member of a group at a time (by the members' own view, and no coordinator grants a range another member still
/// holds); committed positions never move backwards; per-key order in each member's deliveries and in the group's
/// first deliveries; a record is delivered to a group twice only inside the at-least-once window (a member that
/// started a range at a committed position below what the group had already read, or a producer retry into a second
/// segment); a child range is read only after its parents were read to their end; and, at the end, every
/// acknowledged record reached every group.
/// <para>
/// A known engine limitation is told apart: the coordinator keeps groups in memory and is chosen by each broker's
/// own view of who is live, so after a coordinator restart or move a new coordinator grants ranges that members of
/// the previous one still hold (see the finding in docs/decisions/0004-simulation.md). Such a handoff overlap — the
/// holder's grant came from another coordinator incarnation — and what follows from it on that range (duplicates,
/// first deliveries out of order, a commit below an earlier one) are findings: counted and traced, failures only
/// with <see cref="Strict"/>. An overlap under one coordinator incarnation is always a failure.
/// </para>
/// </summary>
internal sealed partial class GroupChecker(InvariantChecker owner)
{
    private readonly Dictionary<(string Group, string Topic, ulong Range, string Member), string> _grantedBy = [];
    private readonly HashSet<(string Group, string Topic, ulong Range)> _overlapped = [];
    private readonly HashSet<(string Coordinator, string Group, string Topic, string Member)> _expelled = [];
    private readonly Dictionary<(string Topic, ulong Range), long> _lowWatermarks = [];

    private readonly Dictionary<(string Group, string Topic, ulong Range), string> _holders = [];
    private readonly Dictionary<(string Group, string Topic, ulong Range), long> _highDelivered = [];
    private readonly Dictionary<(string Group, string Topic, ulong Range), long> _committed = [];
    private readonly HashSet<(string Group, string Topic, ulong Range)> _finished = [];
    private readonly Dictionary<(string Member, string Topic, ulong Range), (long From, long Upto)> _rewinds = [];
    private readonly Dictionary<string, HashSet<string>> _seen = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Group, int Producer, string Topic, string Key), long> _groupOrder = [];
    private readonly Dictionary<(string Member, int Producer, string Topic, string Key), long> _memberOrder = [];

    public long Delivered { get; private set; }

    public long Duplicates { get; private set; }

    public long Commits { get; private set; }

    public long Grants { get; private set; }

    /// <summary>Handoff overlaps and their consequences fail the run (default: counted as findings).</summary>
    public bool Strict { get; set; }

    /// <summary>Findings of the known coordinator-handoff limitation (non-strict mode).</summary>
    public long Findings { get; private set; }

    /// <summary>The first finding, for the summary.</summary>
    public string? FirstFinding { get; private set; }

    private void Finding(string what)
    {
        if (Strict)
        {
            owner.Fail(what);
            return;
        }

        Findings++;
        FirstFinding ??= what;
        owner.Trace($"FINDING {what}");
    }

    private void Overlap(string group, string topic, ulong range, string holder, string member, string coordinator, string what)
    {
        string holderCoordinator = _grantedBy.GetValueOrDefault((group, topic, range, holder), "?");
        if (holderCoordinator != coordinator)
        {
            _overlapped.Add((group, topic, range));
            Finding($"{what} (coordinator handoff: {holder} was granted it by coordinator {holderCoordinator}, {member} by {coordinator})");
        }
        else if (_expelled.Contains((coordinator, group, topic, holder)))
        {
            _overlapped.Add((group, topic, range));
            Finding($"{what} (expelled member: coordinator {coordinator} expelled {holder}, which has not heard of it yet)");
        }
        else
        {
            owner.Fail(what);
        }
    }

    /// <summary>A coordinator (its incarnation, as broker.incarnation) granted <paramref name="range"/> to <paramref name="member"/>.</summary>
    public void OnGranted(string coordinator, string group, string topic, ulong range, string member)
    {
        Grants++;
        if (_holders.TryGetValue((group, topic, range), out string? holder) && holder != member)
        {
            Overlap(group, topic, range, holder, member, coordinator,
                $"group {group}: coordinator {coordinator} granted {topic} range {range} to {member} while {holder} still holds it");
        }

        _grantedBy[(group, topic, range, member)] = coordinator;
    }

    /// <summary>A coordinator expelled a member whose session expired (the member may not know yet).</summary>
    public void OnExpelled(string coordinator, string group, string topic, string member) => _expelled.Add((coordinator, group, topic, member));

    /// <summary>
    /// A reader saw the range's deleted prefix end at <paramref name="low"/> (retention). Records below it may still
    /// be delivered late by a reader whose metadata or replica is behind; they are exempt from the order and
    /// duplicate checks, as they are from "delivered to every group".
    /// </summary>
    public void OnLowWatermark(string topic, ulong range, long low)
    {
        if (low > _lowWatermarks.GetValueOrDefault((topic, range)))
        {
            _lowWatermarks[(topic, range)] = low;
        }
    }

    /// <summary>A member (re)joined: from now on it is a member in good standing of that coordinator.</summary>
    public void OnJoined(string coordinator, string group, string topic, string member) => _expelled.Remove((coordinator, group, topic, member));

    /// <summary>A member holds a range from now on (a grant it received).</summary>
    public void OnHold(string group, string topic, ulong range, string member)
    {
        if (_holders.TryGetValue((group, topic, range), out string? holder) && holder != member)
        {
            Overlap(group, topic, range, holder, member, _grantedBy.GetValueOrDefault((group, topic, range, member), "?"),
                $"group {group}: {topic} range {range} held by {holder} and {member} at once");
        }

        _holders[(group, topic, range)] = member;
    }

    /// <summary>A member stopped reading a range and released it (or crashed).</summary>
    public void OnRelease(string group, string topic, ulong range, string member)
    {
        if (_holders.TryGetValue((group, topic, range), out string? holder) && holder == member)
        {
            _holders.Remove((group, topic, range));
        }
    }

    /// <summary>The maximum acknowledged commit so far (what a position read must not be below).</summary>
    public long CommittedFloor(string group, string topic, ulong range) => _committed.GetValueOrDefault((group, topic, range));

    /// <summary>A member read the committed position <paramref name="read"/>; <paramref name="floor"/> was acknowledged before.</summary>
    public void OnPositionRead(string group, string topic, ulong range, string member, long read, long floor)
    {
        if (read < floor)
        {
            Report(group, topic, range, $"group {group}: {member} read committed position {read} of {topic} range {range}, below the acknowledged commit {floor} (positions moved backwards)");
        }
    }

    /// <summary>A member starts reading a range at <paramref name="position"/>: re-deliveries up to what the group had read are allowed.</summary>
    public void OnStartReading(string group, string topic, ulong range, string member, long position)
    {
        long upto = _highDelivered.GetValueOrDefault((group, topic, range));
        _rewinds[(member, topic, range)] = (position, upto);
    }

    /// <summary>A member is about to read a child range: each parent must have been read to its end by the group.</summary>
    public void OnChildStart(string group, string topic, ulong range, IEnumerable<ulong> parents, string member)
    {
        foreach (ulong parent in parents)
        {
            if (!_finished.Contains((group, topic, parent)))
            {
                owner.Fail($"group {group}: {member} reads {topic} range {range} before its parent {parent} was read to the end");
            }
        }
    }

    /// <summary>A member read a retired range to its end.</summary>
    public void OnFinished(string group, string topic, ulong range) => _finished.Add((group, topic, range));

    /// <summary>A committed position was acknowledged by the metadata.</summary>
    public void OnCommitAcked(string group, string topic, ulong range, string member, long position)
    {
        Commits++;
        long floor = _committed.GetValueOrDefault((group, topic, range));
        if (position < floor)
        {
            Report(group, topic, range, $"group {group}: {member} committed {position} on {topic} range {range} after {floor} was committed (positions moved backwards)");
            return;
        }

        _committed[(group, topic, range)] = position;
    }

    public void OnDeliver(string group, string member, string topic, ulong range, long offset, string value, string key)
    {
        Delivered++;
        if (owner.Lookup(value) is not { } record || record.Topic != topic || record.Key != key)
        {
            owner.Fail($"group {group}: {member} got a record never sent: {topic}/{key}={value}");
            return;
        }

        var high = (group, topic, range);
        _highDelivered[high] = Math.Max(_highDelivered.GetValueOrDefault(high), offset + 1);
        if (!_seen.TryGetValue(group, out var seen))
        {
            _seen[group] = seen = new(StringComparer.Ordinal);
        }

        bool first = seen.Add(value);
        bool inWindow = (_rewinds.TryGetValue((member, topic, range), out var rewind) && offset >= rewind.From && offset < rewind.Upto)
            || offset < _lowWatermarks.GetValueOrDefault((topic, range));
        if (!first)
        {
            Duplicates++;
            if (!inWindow && record.Segments < 2)
            {
                Report(group, topic, range, $"group {group}: {member} got {topic}/{key}={value} (range {range} offset {offset}) again outside the at-least-once window");
            }
        }

        var memberKey = (member, record.Producer, topic, key);
        if (_memberOrder.TryGetValue(memberKey, out long last) && last > record.N && !(inWindow || record.Segments >= 2))
        {
            owner.Fail($"group {group}: {member}: per-key order broken on {topic}/{key}: record #{record.N} of producer {record.Producer} after #{last}");
        }

        _memberOrder[memberKey] = record.N;
        if (first)
        {
            var groupKey = (group, record.Producer, topic, key);
            if (_groupOrder.TryGetValue(groupKey, out long groupLast) && groupLast > record.N && !inWindow)
            {
                Report(group, topic, range, $"group {group}: per-key order of first deliveries broken on {topic}/{key}: record #{record.N} of producer {record.Producer} after #{groupLast}");
            }

            _groupOrder[groupKey] = Math.Max(groupLast, record.N);
        }
    }

    /// <summary>A violation: a finding when it happened on a range a handoff overlap touched, else a failure.</summary>
    private void Report(string group, string topic, ulong range, string what)
    {
        if (_overlapped.Contains((group, topic, range)))
        {
            Finding($"{what} (after a coordinator handoff overlap on this range)");
        }
        else
        {
            owner.Fail(what);
        }
    }

    /// <summary>Acknowledged records of <paramref name="liveTopics"/> the group has not delivered.</summary>
    public List<string> Missing(string group, IReadOnlySet<string> liveTopics)
    {
        var seen = _seen.TryGetValue(group, out var s) ? s : [];
        return [.. owner.AckedRecords(liveTopics).Where(r => !seen.Contains(r.Id)).Select(r => $"{r.Topic}/{r.Key}={r.Id}")];
    }

    /// <summary>True when <see cref="Missing"/> would be empty for <paramref name="group"/>, without building it.</summary>
    public bool DeliveredAll(string group, IReadOnlySet<string> liveTopics) =>
        owner.AllAckedIn(_seen.TryGetValue(group, out var s) ? s : [], liveTopics);

    /// <summary>End of run: every acknowledged record of the live topics reached every group.</summary>
    public void CheckEnd(IEnumerable<string> groups, IReadOnlySet<string> liveTopics)
    {
        foreach (string group in groups)
        {
            var missing = Missing(group, liveTopics);
            if (missing.Count > 0)
            {
                owner.Fail($"group {group}: {missing.Count} acknowledged records never delivered (lost, or the group is stuck), e.g. {string.Join(' ', missing.Take(5))}");
            }
        }
    }
}
