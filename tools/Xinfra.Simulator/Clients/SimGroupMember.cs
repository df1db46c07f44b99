using System.Text;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.StateMachine;
using Xinfra.Simulator.Engine;
using Xinfra.Simulator.Runner;

namespace Xinfra.Simulator.Clients;

/// <summary>
/// A member of a consumer group, one membership per topic, modelled on <c>NorthguardTransportConsumer</c>: join
/// (the coordinator names the member), heartbeat every 200 ms reporting the ranges held; a target that no longer
/// holds a range makes it commit and release it (and beat at once); a grant is read from the group's committed
/// position (a metadata document; 0 when none); a child range starts only once its parents were read to the end;
/// positions are committed every second, each commit carrying the range's lease epoch from its grant (the engine's
/// fenced commit: <see cref="SimPositions"/>); a commit refused as fenced, like <see cref="GroupStatus.UnknownMember"/>,
/// drops everything and rejoins.
/// Lease, as the engine's member: ranges are held for one session timeout from the send time of the last
/// acknowledged heartbeat; past it the member delivers and commits nothing more and drops its ranges (no commit).
/// Members crash (everything in memory lost, no leave) and leave gracefully, then start again as new members.
/// </summary>
internal sealed class SimGroupMember(SimWorld world, int id, string group, int index, IReadOnlyList<string> topics) : SimClient(world, id)
{
    public static readonly long SessionTimeout = SimLoop.Ms(3000);
    private static readonly long HeartbeatInterval = SimLoop.Ms(200);
    private static readonly long CommitInterval = SimLoop.Ms(1000);
    private readonly Dictionary<string, Membership> _memberships = new(StringComparer.Ordinal);
    private bool _up;
    private int _life;

    public override bool IsUp => _up;

    public string Group => group;

    public bool Running => _up && _life % 2 == 1;

    public void Start()
    {
        if (Running)
        {
            return;
        }

        _up = true;
        _life = _life % 2 == 0 ? _life + 1 : _life + 2; // Odd: running.
        int life = _life;
        World.Trace.Write($"member {group}/{index} starts");
        _memberships.Clear();
        foreach (string topic in topics)
        {
            var membership = new Membership(topic, AnyBroker());
            _memberships[topic] = membership;
            World.Loop.Spawn($"member {group}/{index} {topic} heartbeats", () => HeartbeatLoopAsync(membership, life));
            World.Loop.Spawn($"member {group}/{index} {topic} reads", () => ReadLoopAsync(membership, life));
            World.Loop.Spawn($"member {group}/{index} {topic} commits", () => CommitLoopAsync(membership, life));
        }
    }

    /// <summary>The process dies: nothing committed, nothing left; the coordinator expels it after the session timeout.</summary>
    public void Crash()
    {
        if (!Running)
        {
            return;
        }

        World.Trace.Write($"member {group}/{index} crashes");
        _life++;
        _up = false;
        Rpc.Reset();
        foreach (var membership in _memberships.Values)
        {
            ReleaseAll(membership);
        }
    }

    /// <summary>A clean shutdown: commit, release, leave, stop.</summary>
    public async Task LeaveAsync()
    {
        if (!Running)
        {
            return;
        }

        World.Trace.Write($"member {group}/{index} leaves");
        _life++; // Stops the loops; this method finishes the work.
        int life = _life;
        foreach (var membership in _memberships.Values.ToList())
        {
            foreach (var (range, hold) in membership.Holds.ToList())
            {
                await CommitAsync(membership, range, hold);
            }

            ReleaseAll(membership);
            if (membership.Joined)
            {
                await CallCoordinatorAsync(membership, new GroupLeave(group, membership.Topic, membership.MemberId));
            }
        }

        if (_life == life)
        {
            _up = false;
            World.Trace.Write($"member {group}/{index} left");
        }
    }

    private async Task HeartbeatLoopAsync(Membership m, int life)
    {
        while (life == _life)
        {
            if (!m.Joined)
            {
                var joined = await CallCoordinatorAsync(m, new GroupJoin(group, m.Topic, m.MemberId, SessionTimeout));
                if (life != _life)
                {
                    return;
                }

                if (joined is { Status: GroupStatus.Ok })
                {
                    m.MemberId = joined.Member;
                    m.Joined = true;
                }
                else
                {
                    await World.Loop.Delay(HeartbeatInterval);
                    continue;
                }
            }

            LeaseHolds(m); // Drops the ranges when the lease ran out; this beat then reports none.
            ulong[] held = [.. m.Holds.Keys.Order()];
            long sent = World.Loop.Now;
            var reply = await CallCoordinatorAsync(m, new GroupHeartbeat(group, m.Topic, m.MemberId, held));
            if (life != _life)
            {
                return;
            }

            if (!LeaseHolds(m))
            {
                continue; // The engine cancels a heartbeat when the lease runs out: its answer is not applied.
            }

            if (reply is { Status: GroupStatus.Ok })
            {
                m.LeaseFrom = Math.Max(m.LeaseFrom ?? sent, sent);
            }

            bool beatNow = false;
            if (reply is { Status: GroupStatus.UnknownMember })
            {
                World.Trace.Write($"member {group}/{index} {m.Topic}: {m.MemberId} unknown to the coordinator; drops its ranges and rejoins");
                ReleaseAll(m);
                m.LeaseFrom = null;
                m.Joined = false;
                continue;
            }

            if (reply is { Status: GroupStatus.Ok })
            {
                var target = reply.Target.ToHashSet();
                for (int i = 0; i < reply.Granted.Length; i++)
                {
                    ulong range = reply.Granted[i];
                    long? epoch = reply.Epochs is { } epochs ? epochs[i] : null;
                    if (m.Holds.TryAdd(range, new Hold { Epoch = epoch }))
                    {
                        World.Checker.Groups.OnHold(group, m.Topic, range, m.MemberId);
                    }
                    else if (epoch is { } newer && m.Holds[range].Epoch is { } current && newer > current)
                    {
                        m.Holds[range].Epoch = newer; // Granted again to this member: the newer lease is the one to carry.
                    }
                }

                foreach (var (range, hold) in m.Holds.ToList())
                {
                    if (target.Contains(range))
                    {
                        continue;
                    }

                    // Revoked: commit what was read, stop reading, release (the next beat reports it).
                    await CommitAsync(m, range, hold);
                    if (life != _life)
                    {
                        return;
                    }

                    if (m.Holds.TryGetValue(range, out var current) && ReferenceEquals(current, hold))
                    {
                        m.Holds.Remove(range);
                        World.Checker.Groups.OnRelease(group, m.Topic, range, m.MemberId);
                        beatNow = true;
                    }
                }
            }

            if (!beatNow)
            {
                await World.Loop.Delay(HeartbeatInterval);
            }
        }
    }

    private async Task ReadLoopAsync(Membership m, int life)
    {
        TopicDescription? description = null;
        long describedAt = 0;
        while (life == _life)
        {
            if (m.Holds.Count == 0)
            {
                await World.Loop.Delay(SimLoop.Ms(100));
                continue;
            }

            if (description is null)
            {
                describedAt = World.Loop.Now;
                var (_, found) = await Meta.DescribeAsync(m.Topic);
                if (life != _life)
                {
                    return;
                }

                description = found;
                if (description is null)
                {
                    await World.Loop.Delay(SimLoop.Ms(100));
                    continue;
                }
            }

            bool progressed = false;
            bool stale = false;
            foreach (var (rangeId, hold) in m.Holds.ToList())
            {
                if (life != _life || !m.Holds.TryGetValue(rangeId, out var current) || !ReferenceEquals(current, hold) || hold.Finished)
                {
                    continue;
                }

                if (hold.Position is null)
                {
                    await StartHoldAsync(m, rangeId, hold);
                    progressed |= hold.Position is not null;
                    continue;
                }

                var range = description.Ranges.FirstOrDefault(r => r.Id.Value == rangeId);
                if (range is null)
                {
                    stale = true;
                    continue;
                }

                // ParentsDone: a parent this member holds must be finished; one it does not know is not waited for.
                if (range.Parents.Any(p => description.Ranges.Any(r => r.Id == p) && !(m.Holds.TryGetValue(p.Value, out var ph) && ph.Finished)))
                {
                    continue;
                }

                if (!hold.ParentsChecked)
                {
                    hold.ParentsChecked = true;
                    World.Checker.Groups.OnChildStart(group, m.Topic, rangeId, range.Parents.Where(p => description.Ranges.Any(r => r.Id == p)).Select(p => p.Value), m.MemberId);
                }

                if (World.Loop.Now < hold.QuietUntil)
                {
                    continue; // Its open segment had nothing new a moment ago: poll the busy ranges only.
                }

                var (read, wasStale) = await ReadOnceAsync(m, description, range, hold, life);
                progressed |= read;
                stale |= wasStale;
            }

            if (stale || (!progressed && World.Loop.Now - describedAt >= SimLoop.Ms(500)))
            {
                description = null;
            }

            await World.Loop.Delay(progressed ? SimLoop.Ms(40) : SimLoop.Ms(150));
        }
    }

    /// <summary>A granted range: read the group's committed position (AssignAsync), then start reading there.</summary>
    private async Task StartHoldAsync(Membership m, ulong rangeId, Hold hold)
    {
        int life = _life;
        long floor = World.Checker.Groups.CommittedFloor(group, m.Topic, rangeId);
        var (answered, committed) = await Positions(m.Topic, rangeId).FetchAsync();
        if (life != _life || !answered || !m.Holds.TryGetValue(rangeId, out var current) || !ReferenceEquals(current, hold))
        {
            return;
        }

        long position = committed ?? 0;
        World.Checker.Groups.OnPositionRead(group, m.Topic, rangeId, m.MemberId, position, floor);
        hold.Position = position;
        hold.Committed = position;
        World.Checker.Groups.OnStartReading(group, m.Topic, rangeId, m.MemberId, position);
        World.Trace.Write($"member {group}/{index} {m.Topic}: {m.MemberId} reads range {rangeId} from {position}");
    }

    private async Task<(bool Read, bool Stale)> ReadOnceAsync(Membership m, TopicDescription description, RangeInfo range, Hold hold, int life)
    {
        long position = hold.Position!.Value;
        var chain = Chain(description, range.Id);
        long low = LowWatermark(chain);
        if (low > 0)
        {
            World.Checker.Groups.OnLowWatermark(m.Topic, range.Id.Value, low);
        }

        if (position < low)
        {
            World.Trace.Write($"member {group}/{index} {m.Topic} range {range.Id}: skips {position}..{low} (deleted by retention)");
            hold.Position = position = low;
        }

        int at = chain.FindIndex(c => c.Segment.State == SegmentState.Open || position < c.Segment.EndOffset);
        if (at < 0)
        {
            if (range.State == RangeState.Retired)
            {
                hold.Finished = true;
                World.Checker.Groups.OnFinished(group, m.Topic, range.Id.Value);
                World.Trace.Write($"member {group}/{index} finished {m.Topic} range {range.Id} at {position}");
                return (true, false);
            }

            return (false, false);
        }

        var (segment, baseOffset) = chain[at];
        if (position < baseOffset)
        {
            World.Checker.Fail($"member {group}/{index}: {m.Topic} range {range.Id} position {position} is before segment {segment.Id} base {baseOffset}");
            hold.Position = position = baseOffset;
        }

        var segmentRef = new SegmentRef(segment.Id, m.Topic, baseOffset, [.. segment.Replicas]);
        bool sealedSegment = segment.State == SegmentState.Sealed;
        int target = sealedSegment ? (int)segment.Replicas[Random.Next(segment.Replicas.Count)] : (int)segment.Replicas[0];
        var reply = await Rpc.CallAsync(target, new FetchRequest(segmentRef, position, sealedSegment ? segment.EndOffset : null), SimLoop.Ms(400));
        if (life != _life || !m.Holds.TryGetValue(range.Id.Value, out var current) || !ReferenceEquals(current, hold) || hold.Position != position)
        {
            return (false, false); // Released (or crashed) while the fetch was out: nothing of it is delivered.
        }

        if (reply is not FetchResponse fetched || fetched.Records.Count == 0)
        {
            if (!sealedSegment && reply is FetchResponse { Retry: null })
            {
                hold.QuietUntil = World.Loop.Now + SimConsumer.QuietRangeBackoff;
            }

            return (false, !sealedSegment && reply is not FetchResponse { Retry: null });
        }

        if (!LeaseHolds(m))
        {
            return (false, false); // The lease ran out while the fetch was out: another member may own the range.
        }

        foreach (var record in fetched.Records)
        {
            if (record.Offset != position)
            {
                World.Checker.Fail($"member {group}/{index}: {m.Topic} segment {segment.Id} returned offset {record.Offset}, expected {position}");
                break;
            }

            World.Checker.Groups.OnDeliver(group, m.MemberId, m.Topic, range.Id.Value, position,
                Encoding.UTF8.GetString(record.Record.Value.Span), Encoding.UTF8.GetString(record.Record.Key.Span));
            position++;
        }

        hold.Position = position;
        return (true, false);
    }

    private async Task CommitLoopAsync(Membership m, int life)
    {
        while (life == _life)
        {
            await World.Loop.Delay(CommitInterval);
            foreach (var (range, hold) in m.Holds.ToList())
            {
                if (life != _life)
                {
                    return;
                }

                await CommitAsync(m, range, hold);
            }
        }
    }

    /// <summary>Stores the hold's position as the group's committed position (an unconditional document put, as CommitPosition does).</summary>
    private async Task CommitAsync(Membership m, ulong range, Hold hold)
    {
        // One commit of a hold at a time (the commit loop and a revoke or leave can meet here): two unconditional puts
        // in flight could be applied out of order and move the position backwards.
        while (hold.Committing)
        {
            await World.Loop.Delay(SimLoop.Ms(10));
        }

        hold.Committing = true;
        try
        {
            await CommitOnceAsync(m, range, hold);
        }
        finally
        {
            hold.Committing = false;
        }
    }

    private async Task CommitOnceAsync(Membership m, ulong range, Hold hold)
    {
        if (hold.Position is not { } position || position <= hold.Committed || !LeaseHolds(m))
        {
            return;
        }

        if (World.Options.Bugs.GroupCommitAhead)
        {
            position += 25;
        }

        string member = m.MemberId;
        long? epoch = World.Options.Bugs.UnfencedCommits ? null : hold.Epoch;
        var (outcome, document, version) = await Positions(m.Topic, range).CommitAsync(position, epoch, member);
        switch (outcome)
        {
            case SimCommit.Applied:
                World.Checker.Groups.OnCommitAcked(group, m.Topic, range, member, position);
                hold.Committed = Math.Max(hold.Committed, position);
                break;
            case SimCommit.Fenced:
                World.Checker.Groups.OnCommitFenced(group, m.Topic, range, member, epoch ?? 0, position, version, new(document.Offset, document.Epoch, document.Holder));
                if (m.MemberId == member && m.Holds.TryGetValue(range, out var current) && ReferenceEquals(current, hold))
                {
                    // CommitFencedException: the range was granted again, this member's view is stale. Drop every range and rejoin.
                    World.Trace.Write($"member {group}/{index} {m.Topic}: {member}'s commit of range {range} at {position} fenced by epoch {document.Epoch} of {document.Holder}; drops its ranges and rejoins");
                    ReleaseAll(m);
                    m.LeaseFrom = null;
                    m.Joined = false;
                }

                break;
        }
    }

    /// <summary>
    /// True while the member may read and commit its ranges: it holds none, or a session timeout has not passed since
    /// its last acknowledged heartbeat was sent. When the lease ran out it drops every range (without committing).
    /// </summary>
    private bool LeaseHolds(Membership m)
    {
        if (World.Options.Bugs.NoGroupFencing || m.Holds.Count == 0 || (m.LeaseFrom is { } from && World.Loop.Now - from <= SessionTimeout))
        {
            return true;
        }

        World.Trace.Write($"member {group}/{index} {m.Topic}: {m.MemberId} lease ran out (no acknowledged heartbeat for a session timeout); drops its ranges");
        ReleaseAll(m);
        m.LeaseFrom = null;
        return false;
    }

    private void ReleaseAll(Membership m)
    {
        foreach (ulong range in m.Holds.Keys)
        {
            World.Checker.Groups.OnRelease(group, m.Topic, range, m.MemberId);
        }

        m.Holds.Clear();
    }

    private SimPositions Positions(string topic, ulong range) => new(Meta, World.Checker.Groups, group, topic, range);

    private async Task<GroupReply?> CallCoordinatorAsync(Membership m, GroupRequest request)
    {
        for (int attempt = 0; attempt < 3; attempt++)
        {
            var reply = await Rpc.CallAsync(m.Coordinator, request, SimLoop.Ms(300));
            switch (reply)
            {
                case GroupReply { Status: GroupStatus.NotCoordinator } redirect:
                    m.Coordinator = redirect.Coordinator;
                    continue;
                case GroupReply answer:
                    return answer;
                default:
                    m.Coordinator = AnyBroker();
                    return null;
            }
        }

        return null;
    }

    /// <summary>Positions per held range, for diagnostics.</summary>
    public string Describe() => string.Join(' ', _memberships.Values.SelectMany(m => m.Holds.Select(h => $"{m.Topic}/{h.Key}@{h.Value.Position}")));

    private sealed class Membership(string topic, int coordinator)
    {
        public string Topic => topic;

        public int Coordinator { get; set; } = coordinator;

        public string MemberId { get; set; } = "";

        public bool Joined { get; set; }

        /// <summary>Send time of the last acknowledged heartbeat (the lease runs one session timeout from it).</summary>
        public long? LeaseFrom { get; set; }

        public Dictionary<ulong, Hold> Holds { get; } = [];
    }

    private sealed class Hold
    {
        public long? Position { get; set; }

        public long Committed { get; set; } = -1;

        /// <summary>The lease epoch of the grant (null from a coordinator that claims none); commits carry it.</summary>
        public long? Epoch { get; set; }

        public bool Finished { get; set; }

        public bool ParentsChecked { get; set; }

        /// <summary>Not fetched again before this simulated time (its open segment answered with nothing).</summary>
        public long QuietUntil { get; set; }

        /// <summary>A commit of this hold is in flight.</summary>
        public bool Committing { get; set; }
    }
}
