using System.Text;
using Microsoft.Extensions.Logging;
using Xinfra.Northguard.DataPath;
using Xinfra.Northguard.Protocol;

namespace Xinfra.Northguard.Groups;

/// <summary>
/// Coordinates the consumer groups that hash to this broker: the coordinator of a group is the live broker at
/// <c>fnv1a(group) % live</c> in broker id order. State is in memory: after a coordinator restart (or a move to
/// another broker when liveness changes) members get <see cref="GroupError.UnknownMember"/> and rejoin. Time (session
/// expiry) comes from the broker's <see cref="TimeProvider"/>.
/// A group may have been coordinated elsewhere until this broker's live view last changed (or until it started), and
/// members of that coordinator keep reading until their lease runs out: grants of a new group state, and of every
/// group held when the view is seen to change, wait until one <see cref="GroupState.TakeoverGrace"/> after that change. A group this broker redirects is forgotten, so taking it
/// back later starts a fresh state with a fresh grace.
/// </summary>
internal sealed class GroupCoordinator(DataPathEngine engine, ILogger logger)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Group, string Topic), GroupState> _groups = [];
    private string _liveView = string.Empty;
    private long _viewSince = engine.Time.GetTimestamp();

    /// <summary>The endpoint of the group's coordinator when it is another broker; null when it is this one.</summary>
    public string? OtherCoordinator(string group)
    {
        var live = engine.Directory.Brokers.Where(b => b.IsLive).OrderBy(b => b.Id).ToList();
        if (live.Count == 0)
        {
            return null;
        }

        var chosen = live[(int)(Fnv1a(group) % (ulong)live.Count)];
        var view = string.Join(',', live.Select(b => b.Id));
        lock (_lock)
        {
            if (view != _liveView)
            {
                // The view is seen to change only when a request comes: in between, the groups this broker holds may
                // have moved away and back (another broker granted them meanwhile). Every group waits a grace.
                _liveView = view;
                _viewSince = engine.Time.GetTimestamp();
                foreach (var state in _groups.Values)
                {
                    state.WithholdGrantsUntil(_viewSince + ToTimestamp(GroupState.TakeoverGrace(state.LongestSessionTimeout)));
                }
            }

            if (chosen.Id != engine.BrokerId)
            {
                foreach (var key in _groups.Keys.Where(k => k.Group == group).ToList())
                {
                    _groups.Remove(key);
                }
            }
        }

        return chosen.Id == engine.BrokerId ? null : engine.Directory.EndpointOf(chosen.Id);
    }

    public GroupResponse Join(JoinGroupRequest request)
    {
        var member = string.IsNullOrEmpty(request.MemberId) ? $"{request.Group}-{Guid.NewGuid():N}" : request.MemberId;
        var timeout = TimeSpan.FromMilliseconds(Math.Clamp(request.SessionTimeoutMs, 100, 300_000));
        lock (_lock)
        {
            var state = Sweep(request.Group, request.Topic, create: true)!;
            state.Join(member, timeout, engine.Time.GetTimestamp());
            state.WithholdGrantsUntil(_viewSince + ToTimestamp(GroupState.TakeoverGrace(timeout)));
            GroupLog.MemberJoined(logger, state.Group, state.Topic, member, state.Generation);
            return new GroupResponse { MemberId = member, Generation = state.Generation, MemberCount = state.MemberCount };
        }
    }

    public async Task<GroupResponse> HeartbeatAsync(HeartbeatRequest request, CancellationToken cancellationToken)
    {
        // Arrival time: heartbeats of one member can overtake each other during the describe; GroupState drops stale ones.
        // The member is alive now, however long the describe takes (a slow metadata read must not expel everyone).
        long received = engine.Time.GetTimestamp();
        lock (_lock)
        {
            if (_groups.TryGetValue((request.Group, request.Topic), out var seen))
            {
                seen.Seen(request.MemberId, received);
            }
        }

        var description = await engine.DescribeAsync(request.Topic, cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            var state = Sweep(request.Group, request.Topic, create: false);
            if (state is null || !state.Contains(request.MemberId))
            {
                return new GroupResponse { Error = GroupError.UnknownMember, MemberId = request.MemberId };
            }

            var (target, granted) = state.Heartbeat(request.MemberId, request.Held, description.Ranges, engine.Time.GetTimestamp(), received);
            var response = new GroupResponse { MemberId = request.MemberId, Generation = state.Generation, MemberCount = state.MemberCount };
            response.Target.AddRange(target);
            response.Granted.AddRange(granted);
            return response;
        }
    }

    public GroupResponse Leave(LeaveGroupRequest request)
    {
        lock (_lock)
        {
            var state = Sweep(request.Group, request.Topic, create: false);
            if (state is not null && state.Leave(request.MemberId))
            {
                GroupLog.MemberLeft(logger, state.Group, state.Topic, request.MemberId, state.Generation);
                if (state.MemberCount == 0)
                {
                    _groups.Remove((request.Group, request.Topic));
                }
            }

            return new GroupResponse { MemberId = request.MemberId, Generation = state?.Generation ?? 0, MemberCount = state?.MemberCount ?? 0 };
        }
    }

    public GroupResponse Describe(DescribeGroupRequest request)
    {
        lock (_lock)
        {
            var state = Sweep(request.Group, request.Topic, create: false);
            return new GroupResponse { Generation = state?.Generation ?? 0, MemberCount = state?.MemberCount ?? 0 };
        }
    }

    /// <summary>The group, with members whose session expired removed. Call under the lock.</summary>
    private GroupState? Sweep(string group, string topic, bool create)
    {
        if (!_groups.TryGetValue((group, topic), out var state))
        {
            if (!create)
            {
                return null;
            }

            state = new GroupState(group, topic);
            _groups[(group, topic)] = state;
        }

        foreach (var member in state.Expired(engine.Time, engine.Time.GetTimestamp()))
        {
            state.Leave(member);
            GroupLog.MemberExpelled(logger, group, topic, member, state.Generation);
        }

        if (state.MemberCount == 0 && !create)
        {
            // Positions live in the metadata; an empty group keeps nothing here.
            _groups.Remove((group, topic));
            return null;
        }

        return state;
    }

    private long ToTimestamp(TimeSpan duration) => (long)(duration.TotalSeconds * engine.Time.TimestampFrequency);

    private static ulong Fnv1a(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return hash;
    }
}
