using System.Text;
using Xinfra.Northguard.Groups;
using Xinfra.Simulator.Engine;

namespace Xinfra.Simulator.Cluster;

/// <summary>
/// The group coordinator, hosted the way <c>GroupCoordinator</c> hosts the real <see cref="GroupState"/>: the
/// coordinator of a group is the live broker at <c>fnv1a(group) % live</c> in id order (live = heard from recently,
/// this broker's own view); state is in memory and belongs to one incarnation, so after a crash or a move members get
/// <see cref="GroupStatus.UnknownMember"/> and rejoin; session expiry is swept on every request with the broker's
/// clock; a heartbeat reads the topic's ranges linearizably first. Committed positions are not kept here: members
/// store them as metadata documents through Raft (<c>__ng.positions/group/topic/range</c>), as the engine does.
/// Takeover grace, as <c>GroupCoordinator</c>: grants of a new group state, and of every group held when the view is
/// seen to change, wait one <see cref="GroupState.TakeoverGrace"/> after this broker's live view last changed (or it
/// started); a group this broker redirects is forgotten.
/// </summary>
internal sealed partial class SimBroker
{
    private readonly Dictionary<(string Group, string Topic), GroupState> _groups = [];
    private int _groupsLife = -1;
    private long _memberSequence;
    private string _liveView = "";
    private long _viewSince;

    private Dictionary<(string Group, string Topic), GroupState> Groups()
    {
        if (_groupsLife != Incarnation)
        {
            _groups.Clear(); // A new incarnation: the coordinator's memory is gone.
            _groupsLife = Incarnation;
            _liveView = "";
            _viewSince = Clock.GetTimestamp();
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
                    state.WithholdGrantsUntil(_viewSince + ToTimestamp(GroupState.TakeoverGrace(session)));
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

    /// <summary>The group's coordinator when it is another broker, by this broker's view of who is live.</summary>
    private int? OtherCoordinator(string group)
    {
        var live = LiveBrokers();
        ulong hash = 14695981039346656037UL;
        foreach (byte b in Encoding.UTF8.GetBytes(group))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        int chosen = (int)live[(int)(hash % (ulong)live.Count)];
        var groups = Groups();
        string view = string.Join(',', live);
        if (view != _liveView)
        {
            // As GroupCoordinator: the change is seen only when a request comes; every group held waits a grace.
            _liveView = view;
            _viewSince = Clock.GetTimestamp();
            foreach (var state in groups.Values.Where(_ => !_world.Options.Bugs.NoGroupFencing))
            {
                state.WithholdGrantsUntil(_viewSince + ToTimestamp(GroupState.TakeoverGrace(state.LongestSessionTimeout)));
            }
        }

        if (chosen != Id && !_world.Options.Bugs.NoGroupFencing)
        {
            foreach (var key in groups.Keys.Where(k => k.Group == group).ToList())
            {
                groups.Remove(key);
            }
        }

        return chosen == Id ? null : chosen;
    }
}
