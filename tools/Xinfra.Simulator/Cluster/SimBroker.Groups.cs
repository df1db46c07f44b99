using Xinfra.Northguard.Groups;
using Xinfra.Northguard.Metadata.Raft;
using Xinfra.Simulator.Engine;

namespace Xinfra.Simulator.Cluster;

/// <summary>
/// The group coordinator, hosted the way <c>GroupCoordinator</c> hosts the real <see cref="GroupState"/>: the
/// coordinator of a group is the Raft leader of the group's metadata vnode (<see cref="GroupCoordinator.VnodeOf"/>),
/// which all brokers agree on, not a per-broker liveness view; state is in memory and belongs to one incarnation, so after a crash or a move members get
/// <see cref="GroupStatus.UnknownMember"/> and rejoin; session expiry is swept on every request with the broker's
/// clock; a heartbeat reads the topic's ranges linearizably first. Committed positions are not kept here: members
/// store them as metadata documents through Raft (<c>__ng.positions/group/topic/range</c>), as the engine does.
/// Takeover grace, as <c>GroupCoordinator</c>: grants wait one <see cref="GroupCoordinator.LeadershipGrace"/> after
/// this broker was first seen leading the vnode in its current term; a group this broker redirects is forgotten.
/// </summary>
internal sealed partial class SimBroker
{
    private readonly Dictionary<(string Group, string Topic), GroupState> _groups = [];
    private int _groupsLife = -1;
    private long _memberSequence;
    private readonly Dictionary<int, (long Term, long At)> _leadingSince = [];

    /// <summary>The longest an isolated vnode leader keeps leading (check-quorum: two election timeouts of ticks).</summary>
    private static TimeSpan StepDownBound => TimeSpan.FromTicks(2 * ElectionTicks * TickInterval);

    private Dictionary<(string Group, string Topic), GroupState> Groups()
    {
        if (_groupsLife != Incarnation)
        {
            _groups.Clear(); // A new incarnation: the coordinator's memory is gone.
            _groupsLife = Incarnation;
            _leadingSince.Clear();
        }

        return _groups;
    }

    private void OnGroupRequest(int from, long callId, GroupRequest request)
    {
        if (OtherCoordinator(request.Group) is int other)
        {
            _rpc.Reply(from, callId, new GroupReply(GroupStatus.NotCoordinator, "", 0, [], [], other));
            return;
        }

        switch (request)
        {
            case GroupJoin join:
            {
                // A rejoin keeps its name; the engine names new members with a Guid, here broker, incarnation and a counter.
                string member = join.Member.Length > 0 ? join.Member : $"{join.Group}-{Id}.{Incarnation}.{++_memberSequence}";
                var state = Sweep(join.Group, join.Topic, create: true)!;
                var session = TimeSpan.FromTicks(join.SessionTimeoutTicks);
                state.Join(member, session, Clock.GetTimestamp());
                if (!_world.Options.Bugs.NoGroupFencing)
                {
                    state.WithholdGrantsUntil(LeadingSince(join.Group) + ToTimestamp(GroupCoordinator.LeadershipGrace(session, StepDownBound)));
                }
                _world.Checker.Groups.OnJoined($"{Id}.{Incarnation}", join.Group, join.Topic, member);
                _world.Trace.Write($"coordinator {Id}: {member} joined {join.Group}/{join.Topic}, generation {state.Generation}");
                _rpc.Reply(from, callId, new GroupReply(GroupStatus.Ok, member, state.Generation, [], [], Id));
                break;
            }

            case GroupHeartbeat heartbeat:
                _ = ServeHeartbeatAsync(from, callId, heartbeat);
                break;
            case GroupLeave leave:
            {
                var state = Sweep(leave.Group, leave.Topic, create: false);
                if (state is not null && state.Leave(leave.Member))
                {
                    _world.Trace.Write($"coordinator {Id}: {leave.Member} left {leave.Group}/{leave.Topic}, generation {state.Generation}");
                    if (state.MemberCount == 0)
                    {
                        Groups().Remove((leave.Group, leave.Topic));
                    }
                }

                _rpc.Reply(from, callId, new GroupReply(GroupStatus.Ok, leave.Member, state?.Generation ?? 0, [], [], Id));
                break;
            }
        }
    }

    private async Task ServeHeartbeatAsync(int from, long callId, GroupHeartbeat heartbeat)
    {
        int life = Incarnation;
        long received = Clock.GetTimestamp();
        if (!_world.Options.Bugs.StaleHeartbeatsApplied && Groups().TryGetValue((heartbeat.Group, heartbeat.Topic), out var seen))
        {
            seen.Seen(heartbeat.Member, received);
        }

        var (answered, description) = await _meta.DescribeAsync(heartbeat.Topic);
        if (life != Incarnation || !answered || description is null)
        {
            return; // The engine's describe throws (unavailable or not found): the member retries on its next beat.
        }

        if (OtherCoordinator(heartbeat.Group) is int other)
        {
            // Leadership of the group's vnode was lost during the read: a grant now could overlap the next leader's.
            _rpc.Reply(from, callId, new GroupReply(GroupStatus.NotCoordinator, "", 0, [], [], other));
            return;
        }

        var state = Sweep(heartbeat.Group, heartbeat.Topic, create: false);
        if (state is null || !state.Contains(heartbeat.Member))
        {
            _rpc.Reply(from, callId, new GroupReply(GroupStatus.UnknownMember, heartbeat.Member, 0, [], [], Id));
            return;
        }

        var (target, granted) = state.Heartbeat(heartbeat.Member, heartbeat.Held, description.Ranges, Clock.GetTimestamp(),
            _world.Options.Bugs.StaleHeartbeatsApplied ? null : received);
        foreach (ulong range in granted)
        {
            _world.Checker.Groups.OnGranted($"{Id}.{Incarnation}", heartbeat.Group, heartbeat.Topic, range, heartbeat.Member);
        }

        _rpc.Reply(from, callId, new GroupReply(GroupStatus.Ok, heartbeat.Member, state.Generation, [.. target], [.. granted], Id));
    }

    /// <summary>The group, with members whose session expired removed (<c>GroupCoordinator.Sweep</c>).</summary>
    private GroupState? Sweep(string group, string topic, bool create)
    {
        var groups = Groups();
        if (!groups.TryGetValue((group, topic), out var state))
        {
            if (!create)
            {
                return null;
            }

            state = new GroupState(group, topic);
            groups[(group, topic)] = state;
        }

        foreach (string member in state.Expired(Clock, Clock.GetTimestamp()))
        {
            state.Leave(member);
            _world.Checker.Groups.OnExpelled($"{Id}.{Incarnation}", group, topic, member);
            _world.Trace.Write($"coordinator {Id}: {member} expelled from {group}/{topic} (session expired), generation {state.Generation}");
        }

        if (state.MemberCount == 0 && !create)
        {
            groups.Remove((group, topic));
            return null;
        }

        return state;
    }

    private long ToTimestamp(TimeSpan duration) => (long)(duration.TotalSeconds * Clock.TimestampFrequency);

    /// <summary>
    /// The group's coordinator when it is another broker (<c>GroupCoordinator.OtherCoordinator</c>): the Raft leader of
    /// the group's metadata vnode. While this broker leads it, it coordinates; a new term of its leadership starts the
    /// takeover grace for every group of the vnode. Otherwise it forgets the group and redirects to the leader it
    /// knows (the next broker when it knows none).
    /// </summary>
    private int? OtherCoordinator(string group)
    {
        int vnode = GroupCoordinator.VnodeOf(_world.Ring, group);
        var node = RaftOf(vnode);
        var groups = Groups();
        if (node is not null && node.Role == RaftRole.Leader)
        {
            if (!_leadingSince.TryGetValue(vnode, out var since) || since.Term != node.Term)
            {
                // Leadership is seen when a request comes; it may have started earlier, so the grace only lengthens.
                long now = Clock.GetTimestamp();
                _leadingSince[vnode] = (node.Term, now);
                foreach (var (key, state) in groups.Where(g => !_world.Options.Bugs.NoGroupFencing && GroupCoordinator.VnodeOf(_world.Ring, g.Key.Group) == vnode))
                {
                    state.WithholdGrantsUntil(now + ToTimestamp(GroupCoordinator.LeadershipGrace(state.LongestSessionTimeout, StepDownBound)));
                }
            }

            return null;
        }

        _leadingSince.Remove(vnode);
        if (!_world.Options.Bugs.NoGroupFencing)
        {
            foreach (var key in groups.Keys.Where(k => k.Group == group).ToList())
            {
                groups.Remove(key);
            }
        }

        return node is not null && node.Leader != 0 && (int)node.Leader != Id ? (int)node.Leader : (Id % _world.Options.Brokers) + 1;
    }

    /// <summary>When this broker started leading <paramref name="group"/>'s vnode (joins wait a grace after it).</summary>
    private long LeadingSince(string group) =>
        _leadingSince.TryGetValue(GroupCoordinator.VnodeOf(_world.Ring, group), out var since) ? since.At : Clock.GetTimestamp();
}
