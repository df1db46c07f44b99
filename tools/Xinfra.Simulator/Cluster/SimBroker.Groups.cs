using System.Buffers.Binary;
using Xinfra.Northguard.Groups;
using Xinfra.Northguard.Metadata.Commands;
using Xinfra.Northguard.Metadata.Raft;
using Xinfra.Northguard.Metadata.StateMachine;
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
/// this broker was first seen leading the vnode in its current term, unless the group has no grant marker
/// (<see cref="GroupCoordinator.MarkerKey"/>): before its first grant of a group in a term the coordinator reads the
/// marker and commits it through its own Raft replica of the vnode; no marker means no coordinator ever granted the
/// group, so grants start at once. A group this broker redirects is forgotten.
/// </summary>
internal sealed partial class SimBroker
{
    private readonly Dictionary<(string Group, string Topic), GroupState> _groups = [];
    private int _groupsLife = -1;
    private long _memberSequence;
    private readonly Dictionary<int, (long Term, long At)> _leadingSince = [];
    private readonly Dictionary<string, (long Term, bool Existed)> _markers = [];

    /// <summary>The longest an isolated vnode leader keeps leading (check-quorum: two election timeouts of ticks).</summary>
    private static TimeSpan StepDownBound => TimeSpan.FromTicks(2 * ElectionTicks * TickInterval);

    private Dictionary<(string Group, string Topic), GroupState> Groups()
    {
        if (_groupsLife != Incarnation)
        {
            _groups.Clear(); // A new incarnation: the coordinator's memory is gone.
            _groupsLife = Incarnation;
            _leadingSince.Clear();
            _markers.Clear();
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
                    state.WithholdGrantsUntil(GrantsFrom(join.Group, session));
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

        bool mayGrant = _world.Options.Bugs.NoGroupFencing || await EnsureMarkerAsync(heartbeat.Group);
        if (life != Incarnation)
        {
            return;
        }

        var state = Sweep(heartbeat.Group, heartbeat.Topic, create: false);
        if (state is null || !state.Contains(heartbeat.Member))
        {
            _rpc.Reply(from, callId, new GroupReply(GroupStatus.UnknownMember, heartbeat.Member, 0, [], [], Id));
            return;
        }

        var (target, granted) = state.Heartbeat(heartbeat.Member, heartbeat.Held, description.Ranges, Clock.GetTimestamp(),
            _world.Options.Bugs.StaleHeartbeatsApplied ? null : received, mayGrant);
        var (claimed, epochs) = await ClaimGrantsAsync(heartbeat, granted, life);
        if (life != Incarnation)
        {
            return; // Crashed while claiming: a claim that landed only fences earlier holders.
        }

        foreach (ulong range in claimed)
        {
            _world.Checker.Groups.OnGranted($"{Id}.{Incarnation}", heartbeat.Group, heartbeat.Topic, range, heartbeat.Member);
        }

        _rpc.Reply(from, callId, new GroupReply(GroupStatus.Ok, heartbeat.Member, state.Generation, [.. target], [.. claimed], Id, [.. epochs]));
    }

    /// <summary>
    /// <c>GroupCoordinator.ClaimAsync</c>: raises the lease epoch of each granted range in its position document (the
    /// engine's decision, a compare-and-set through Raft: <see cref="Clients.SimPositions.ClaimAsync"/>) and grants only
    /// the ranges whose claim was written; a range whose claim failed is released and granted on a later heartbeat.
    /// </summary>
    private async Task<(List<ulong> Claimed, List<long> Epochs)> ClaimGrantsAsync(GroupHeartbeat heartbeat, List<ulong> granted, int life)
    {
        List<ulong> claimed = [];
        List<long> epochs = [];
        if (granted.Count == 0)
        {
            return (claimed, epochs);
        }

        var claims = granted.Select(range => new Clients.SimPositions(_meta, _world.Checker.Groups, heartbeat.Group, heartbeat.Topic, range).ClaimAsync(heartbeat.Member)).ToList();
        await Task.WhenAll(claims);
        if (life != Incarnation)
        {
            return (claimed, epochs);
        }

        var state = Groups().GetValueOrDefault((heartbeat.Group, heartbeat.Topic));
        for (int i = 0; i < granted.Count; i++)
        {
            if (state is not null && state.CompleteGrant(heartbeat.Member, granted[i], claimed: claims[i].Result is not null))
            {
                long epoch = claims[i].Result!.Value;
                claimed.Add(granted[i]);
                epochs.Add(epoch);
                _world.Checker.Groups.OnClaimed(heartbeat.Group, heartbeat.Topic, granted[i], heartbeat.Member, epoch);
            }
        }

        return (claimed, epochs);
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
        _markers.Remove(group);
        if (!_world.Options.Bugs.NoGroupFencing)
        {
            foreach (var key in groups.Keys.Where(k => k.Group == group).ToList())
            {
                groups.Remove(key);
            }
        }

        return node is not null && node.Leader != 0 && (int)node.Leader != Id ? (int)node.Leader : (Id % _world.Options.Brokers) + 1;
    }

    /// <summary>
    /// When grants of <paramref name="group"/> joined now may start (<c>GroupCoordinator.GrantsFrom</c>): one grace
    /// after this broker started leading the group's vnode, none when it found no grant marker in this term.
    /// </summary>
    private long GrantsFrom(string group, TimeSpan session)
    {
        bool leading = _leadingSince.TryGetValue(GroupCoordinator.VnodeOf(_world.Ring, group), out var since);
        if (leading && _markers.TryGetValue(group, out var marker) && marker.Term == since.Term && !marker.Existed)
        {
            return long.MinValue;
        }

        return (leading ? since.At : Clock.GetTimestamp()) + ToTimestamp(GroupCoordinator.LeadershipGrace(session, StepDownBound));
    }

    /// <summary>
    /// <c>GroupCoordinator.EnsureMarkerAsync</c>: true once this broker, leading the group's vnode in its current term,
    /// has read the group's grant marker and committed it through its own replica in that term. No marker before:
    /// the grace is dropped; otherwise it stays. Once per (group, term); a failure grants nothing this heartbeat.
    /// </summary>
    private async Task<bool> EnsureMarkerAsync(string group)
    {
        int vnode = GroupCoordinator.VnodeOf(_world.Ring, group);
        if (!_leadingSince.TryGetValue(vnode, out var since))
        {
            return false;
        }

        long term = since.Term;
        if (_markers.TryGetValue(group, out var marker) && marker.Term == term)
        {
            return true;
        }

        int life = Incarnation;
        string key = GroupCoordinator.MarkerKey(group);
        var state = await ReadLocalAsync(vnode);
        if (state is null || life != Incarnation)
        {
            return false;
        }

        bool existed = state.TryGetDocument(key, out _);
        var content = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(content, term);
        var result = await ProposeLocalAsync(vnode, new PutDocumentCommand(key, content, -1));
        var node = RaftOf(vnode);
        if (result?.IsOk != true || life != Incarnation || node is null || node.Role != RaftRole.Leader || node.Term != term
            || !_leadingSince.TryGetValue(vnode, out since) || since.Term != term)
        {
            return false; // Not committed, or leadership changed meanwhile: the next heartbeat starts over.
        }

        _markers[group] = (term, existed);
        if (!existed)
        {
            foreach (var (_, held) in Groups().Where(g => g.Key.Group == group))
            {
                held.ClearGrace();
            }
        }

        return true;
    }

    /// <summary>Commits a command through this broker's own replica of the vnode; null unless it leads and the entry committed.</summary>
    private async Task<MetadataResult?> ProposeLocalAsync(int vnode, MetadataCommand command)
    {
        if (!_vnodes.TryGetValue(vnode, out var replica))
        {
            return null;
        }

        var proposal = replica.Node.Propose(MetadataCommandCodec.Encode(command));
        if (!proposal.IsAccepted)
        {
            return null;
        }

        var done = new TaskCompletionSource<MetadataResult?>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (replica.Proposals.Remove(proposal.Index, out var superseded))
        {
            superseded.Done.TrySetResult(null);
        }

        replica.Proposals[proposal.Index] = (proposal.Term, done);
        ProcessReady(vnode);
        return await done.Task;
    }

    /// <summary>A linearizable read on this broker's own replica of the vnode; null unless it leads and the read completed.</summary>
    private async Task<VnodeStateMachine?> ReadLocalAsync(int vnode)
    {
        if (!_vnodes.TryGetValue(vnode, out var replica) || replica.Node.Role != RaftRole.Leader)
        {
            return null;
        }

        long context = ((long)Id << 40) | ++_nextRead;
        if (!replica.Node.ReadIndex(context).IsAccepted)
        {
            return null;
        }

        var done = new TaskCompletionSource<VnodeStateMachine?>(TaskCreationOptions.RunContinuationsAsynchronously);
        replica.Reads[context] = done;
        ProcessReady(vnode);
        return await done.Task;
    }
}
