using Xinfra.Simulator.Clients;
using Xinfra.Simulator.Engine;
using Xinfra.Simulator.Runner;

namespace Xinfra.Simulator.Workloads;

/// <summary>
/// Consumer groups on the workload topics: <see cref="SimOptions.Groups"/> groups of
/// <see cref="SimOptions.GroupMembers"/> members. The first member of each group starts with the producers, the
/// others join a little later; during the fault window members crash or leave and come back (a churn schedule drawn
/// from the seed's own stream, so it does not move the fault plan); at the heal every member is running.
/// </summary>
internal sealed class GroupWorkload
{
    private readonly SimWorld _world;
    private readonly List<SimGroupMember> _members = [];

    public GroupWorkload(SimWorld world, IReadOnlyList<string> topics)
    {
        _world = world;
        for (int g = 0; g < world.Options.Groups; g++)
        {
            for (int m = 0; m < world.Options.GroupMembers; m++)
            {
                var member = new SimGroupMember(world, 400 + (g * 10) + m, $"group{g}", m, topics);
                _members.Add(member);
                world.Network.Add(member);
            }
        }
    }

    public IReadOnlyList<SimGroupMember> Members => _members;

    public IEnumerable<string> Groups => _members.Select(m => m.Group).Distinct();

    /// <summary>How many crashes and leaves the churn schedule holds.</summary>
    public int Churns { get; private set; }

    /// <summary>Starts the members and schedules the churn between <paramref name="started"/> and the end of the fault window.</summary>
    public void Start(long started, long duration)
    {
        var loop = _world.Loop;
        var random = _world.Derive(0x6709);
        long window = (long)(duration * 0.7);
        foreach (var member in _members)
        {
            var m = member;
            long first = m == _members.First(x => x.Group == m.Group) ? 0 : random.NextInt64(SimLoop.Ms(5000));
            loop.At(started + first, m.Start);

            // About one churn event per member per 15 simulated seconds of the fault window.
            int events = (int)(window / SimLoop.Ms(15_000)) + (random.Next(2));
            for (int e = 0; e < events; e++)
            {
                long at = started + SimLoop.Ms(5000) + random.NextInt64(Math.Max(1, window - SimLoop.Ms(5000)));
                long back = SimLoop.Ms(500) + random.NextInt64(SimLoop.Ms(4000));
                bool crash = random.Next(2) == 0;
                Churns++;
                loop.At(at, () =>
                {
                    if (crash)
                    {
                        m.Crash();
                    }
                    else
                    {
                        loop.Spawn($"member {m.Id} leaves", m.LeaveAsync);
                    }
                });
                loop.At(at + back, m.Start);
            }
        }
    }

    /// <summary>At the heal: every member runs.</summary>
    public void Heal()
    {
        foreach (var member in _members)
        {
            member.Start();
        }
    }

    public bool Drained(IReadOnlySet<string> liveTopics) => Groups.All(g => _world.Checker.Groups.DeliveredAll(g, liveTopics));

    public void CheckEnd(IReadOnlySet<string> liveTopics) => _world.Checker.Groups.CheckEnd(Groups, liveTopics);
}
