using System.Buffers.Binary;
using System.Text;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Xinfra.Northguard.DataPath;
using Xinfra.Northguard.Metadata.Hosting;
using Xinfra.Northguard.Metadata.Ring;
using Xinfra.Northguard.Protocol;

namespace Xinfra.Northguard.Groups;

/// <summary>
/// Coordinates consumer groups. With the Raft-backed metadata (<see cref="MetadataHost"/>) the coordinator of a group
/// is the Raft leader of the group's metadata vnode (<see cref="VnodeOf"/>), which the brokers agree on: a broker
/// coordinates a group only while it leads that vnode, and others redirect to the leader they know. With check-quorum
/// an isolated leader steps down within <see cref="MetadataHost.StepDownBound"/>, so a new leader waits one
/// <see cref="LeadershipGrace"/> (the takeover grace plus that bound) after it is first seen leading in its term before
/// granting: members of the previous leader stop reading one session timeout after their last acknowledged heartbeat.
/// The grace is skipped for a group no coordinator ever granted: before its first grant of a group in its term the
/// leader records the group's marker (<see cref="MarkerKey"/>) through Raft, and finding none beforehand means no lease
/// can be outstanding.
/// In an embedded cluster (<see cref="LocalBrokerDirectory"/>, one shared in-process view) the coordinator is the live
/// broker at <c>fnv1a(group) % live</c> in id order, and the grace starts when the shared view changes.
/// A grant also claims the range's lease epoch in its position document (<see cref="GroupPositions.ClaimAsync"/>): the
/// members' commits carry it and the broker refuses those of an earlier lease in the write itself.
/// State is in memory: after a coordinator restart or a move members get <see cref="GroupError.UnknownMember"/> and
/// rejoin. Time (session expiry) comes from the broker's <see cref="TimeProvider"/>. A group this broker redirects is
/// forgotten, so taking it back later starts a fresh state with a fresh grace.
/// </summary>
internal sealed class GroupCoordinator(DataPathEngine engine, ILogger logger, MetadataHost? metadata = null)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Group, string Topic), GroupState> _groups = [];
    private readonly Dictionary<int, (long Term, long At)> _leadingSince = [];
    private readonly Dictionary<string, (long Term, bool Existed)> _markers = [];
    private string _liveView = string.Empty;
    private long _viewSince = engine.Time.GetTimestamp();

    /// <summary>The metadata vnode of a group: its coordinator is that vnode's Raft leader.</summary>
    public static int VnodeOf(VnodeRing ring, string group)
    {
        ArgumentNullException.ThrowIfNull(ring);
        return ring.VnodeForTopic(MarkerKey(group));
    }

    /// <summary>
    /// The grant marker of a group: a metadata document a coordinator writes through Raft before its first grant of
    /// the group in its term. Its key routes to the group's vnode (<see cref="VnodeOf"/>) by construction.
    /// </summary>
    public static string MarkerKey(string group) => $"__ng.groups/{group}";

    /// <summary>How long a new vnode leader withholds grants: the takeover grace plus the old leader's step-down bound.</summary>
    public static TimeSpan LeadershipGrace(TimeSpan sessionTimeout, TimeSpan stepDownBound) =>
        GroupState.TakeoverGrace(sessionTimeout) + stepDownBound;

    /// <summary>The endpoint of the group's coordinator when it is another broker; null when it is this one.</summary>
    public async Task<string?> OtherCoordinatorAsync(string group, CancellationToken cancellationToken)
    {
        if (metadata is null)
        {
            return OtherCoordinatorByLiveView(group);
        }

        int vnode = VnodeOf(metadata.Ring, group);
        var (leading, term, leader) = await metadata.LeadershipAsync(vnode, cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            if (leading)
            {
                if (!_leadingSince.TryGetValue(vnode, out var since) || since.Term != term)
                {
                    // Leadership is seen when a request comes; it may have started earlier, so the grace only lengthens.
                    long now = engine.Time.GetTimestamp();
                    _leadingSince[vnode] = (term, now);
                    foreach (var (key, state) in _groups.Where(g => VnodeOf(metadata.Ring, g.Key.Group) == vnode))
                    {
                        state.WithholdGrantsUntil(now + ToTimestamp(LeadershipGrace(state.LongestSessionTimeout, metadata.StepDownBound)));
                    }
                }

                return null;
            }

            _leadingSince.Remove(vnode);
            _markers.Remove(group);
            Forget(group);
        }

        if (leader != 0 && leader != engine.BrokerId && engine.Directory.EndpointOf(leader) is { } endpoint)
        {
            return endpoint;
        }

        // No leader known (an election is running): send the member to another live broker to ask again.
        var other = engine.Directory.Brokers.Where(b => b.IsLive && b.Id != engine.BrokerId).OrderBy(b => b.Id)
            .Select(b => engine.Directory.EndpointOf(b.Id)).FirstOrDefault(e => e is not null);
        return other ?? throw new RpcException(new Status(StatusCode.Unavailable, $"Group '{group}' has no coordinator: vnode {vnode} has no leader."));
    }

    private string? OtherCoordinatorByLiveView(string group)
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
                Forget(group);
            }
        }

        return chosen.Id == engine.BrokerId ? null : engine.Directory.EndpointOf(chosen.Id);
    }

    /// <summary>Drops this broker's state of a group it does not coordinate. Call under the lock.</summary>
    private void Forget(string group)
    {
        foreach (var key in _groups.Keys.Where(k => k.Group == group).ToList())
        {
            _groups.Remove(key);
        }
    }

    /// <summary>When grants of a group joined now may start: one grace after this broker began coordinating it.</summary>
    /// A group this broker found without a grant marker in its current term has no grace at all.
    private long GrantsFrom(string group, TimeSpan timeout)
    {
        if (metadata is null)
        {
            return _viewSince + ToTimestamp(GroupState.TakeoverGrace(timeout));
        }

        bool leading = _leadingSince.TryGetValue(VnodeOf(metadata.Ring, group), out var since);
        if (leading && _markers.TryGetValue(group, out var marker) && marker.Term == since.Term && !marker.Existed)
        {
            return long.MinValue;
        }

        return (leading ? since.At : engine.Time.GetTimestamp()) + ToTimestamp(LeadershipGrace(timeout, metadata.StepDownBound));
    }

    /// <summary>
    /// True once this broker, leading the group's vnode in its current term, has durably recorded the group's grant
    /// marker (<see cref="MarkerKey"/>) in that term; it grants nothing before. Reads the marker linearizably first: when
    /// none exists no coordinator ever granted the group, so no lease can be outstanding and the grace is dropped;
    /// otherwise the full <see cref="LeadershipGrace"/> applies. An isolated old leader cannot commit the marker, so it
    /// cannot start granting. Done once per (group, term); a failure grants nothing and is retried on the next heartbeat.
    /// </summary>
    private async Task<bool> EnsureMarkerAsync(string group, CancellationToken cancellationToken)
    {
        if (metadata is null)
        {
            return true;
        }

        int vnode = VnodeOf(metadata.Ring, group);
        long term;
        lock (_lock)
        {
            if (!_leadingSince.TryGetValue(vnode, out var since))
            {
                return false;
            }

            term = since.Term;
            if (_markers.TryGetValue(group, out var marker) && marker.Term == term)
            {
                return true;
            }
        }

        bool existed;
        try
        {
            // Served by this broker's own Raft node while it leads: the write is an entry of this term.
            existed = await engine.Metadata.GetDocumentAsync(MarkerKey(group), cancellationToken).ConfigureAwait(false) is not null;
            var content = new byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(content, term);
            await engine.Metadata.PutDocumentAsync(MarkerKey(group), content, -1, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            GroupLog.MarkerFailed(logger, group, e.Message);
            return false;
        }

        var (leading, termNow, _) = await metadata.LeadershipAsync(vnode, cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            if (!leading || termNow != term || !_leadingSince.TryGetValue(vnode, out var since) || since.Term != term)
            {
                return false; // Leadership changed meanwhile: the next heartbeat starts over.
            }

            _markers[group] = (term, existed);
            if (!existed)
            {
                foreach (var state in _groups.Where(g => g.Key.Group == group).Select(g => g.Value))
                {
                    state.ClearGrace();
                }
            }

            return true;
        }
    }

    public GroupResponse Join(JoinGroupRequest request)
    {
        var member = string.IsNullOrEmpty(request.MemberId) ? $"{request.Group}-{Guid.NewGuid():N}" : request.MemberId;
        var timeout = TimeSpan.FromMilliseconds(Math.Clamp(request.SessionTimeoutMs, 100, 300_000));
        lock (_lock)
        {
            var state = Sweep(request.Group, request.Topic, create: true)!;
            state.Join(member, timeout, engine.Time.GetTimestamp());
            state.WithholdGrantsUntil(GrantsFrom(request.Group, timeout));
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
        if (await OtherCoordinatorAsync(request.Group, cancellationToken).ConfigureAwait(false) is { } moved)
        {
            // Leadership of the group's vnode was lost during the read: a grant now could overlap the next leader's.
            return new GroupResponse { Error = GroupError.NotCoordinator, CoordinatorEndpoint = moved };
        }

        bool mayGrant = await EnsureMarkerAsync(request.Group, cancellationToken).ConfigureAwait(false);
        GroupResponse response;
        List<ulong> granted;
        lock (_lock)
        {
            var state = Sweep(request.Group, request.Topic, create: false);
            if (state is null || !state.Contains(request.MemberId))
            {
                return new GroupResponse { Error = GroupError.UnknownMember, MemberId = request.MemberId };
            }

            (var target, granted) = state.Heartbeat(request.MemberId, request.Held, description.Ranges, engine.Time.GetTimestamp(), received, mayGrant);
            response = new GroupResponse { MemberId = request.MemberId, Generation = state.Generation, MemberCount = state.MemberCount };
            response.Target.AddRange(target);
        }

        if (granted.Count > 0)
        {
            await ClaimAsync(request, granted, response, cancellationToken).ConfigureAwait(false);
        }

        return response;
    }

    /// <summary>
    /// Raises the lease epoch of each granted range in its position document (<see cref="GroupPositions.ClaimAsync"/>)
    /// and grants only the ranges whose claim was written: from then on commits of the range's earlier holders are
    /// refused in the write itself. A range whose claim failed is released again and granted on a later heartbeat.
    /// </summary>
    private async Task ClaimAsync(HeartbeatRequest request, List<ulong> granted, GroupResponse response, CancellationToken cancellationToken)
    {
        var positions = new GroupPositions(engine.Metadata);
        var epochs = new long[granted.Count];
        var claims = granted.Select(async (range, i) =>
        {
            try
            {
                epochs[i] = await positions.ClaimAsync(GroupPositions.Key(request.Group, request.Topic, range), request.MemberId, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                GroupLog.ClaimFailed(logger, request.Group, request.Topic, range, request.MemberId, e.Message);
            }
        });
        try
        {
            await Task.WhenAll(claims).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Cancelled: the ranges not claimed are released below; a claim that landed only fences earlier holders.
        }

        lock (_lock)
        {
            var state = _groups.GetValueOrDefault((request.Group, request.Topic));
            for (int i = 0; i < granted.Count; i++)
            {
                if (state is not null && state.CompleteGrant(request.MemberId, granted[i], claimed: epochs[i] > 0))
                {
                    response.Granted.Add(granted[i]);
                    response.Leases.Add(new RangeLease { RangeId = granted[i], Epoch = epochs[i] });
                }
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
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
