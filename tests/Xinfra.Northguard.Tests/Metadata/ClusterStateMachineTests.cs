using Xinfra.Northguard.Metadata.Cluster;
using Xinfra.Northguard.Metadata.Placement;
using Xinfra.Northguard.Metadata.Ring;

namespace Xinfra.Northguard.Tests.Metadata;

public sealed class ClusterStateMachineTests
{
    private static BrokerInfo B(ulong id, string zone) =>
        new(id, $"b{id}", 9000, new Dictionary<string, string> { ["zone"] = zone }, true);

    private static ClusterStateMachine WithBrokers(int count)
    {
        var sm = new ClusterStateMachine(new VnodeRing());
        for (ulong id = 1; id <= (ulong)count; id++)
        {
            Assert.Null(sm.Apply(new RegisterBrokerCommand(B(id, $"z{id % 3}"))));
        }

        return sm;
    }

    [Fact]
    public void InitialAssignment_64VnodesOn6BrokersIn3Zones_BalancedAndZoneSpread()
    {
        var sm = WithBrokers(6);
        var plan = sm.PlanInitialAssignment(3, spreadBy: "zone");
        Assert.Equal(64, plan.Count);
        foreach (var command in plan)
        {
            Assert.Null(sm.Apply(command));
        }

        var perBroker = sm.Vnodes.SelectMany(v => v.Replicas).GroupBy(b => b).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(6, perBroker.Count);
        Assert.InRange(perBroker.Values.Max() - perBroker.Values.Min(), 0, 1);
        Assert.All(sm.Vnodes, v => Assert.Equal(3, v.Replicas.Select(r => r % 3).Distinct().Count()));
        Assert.Equal(0UL, sm.Vnodes[0].Start);
        Assert.Equal(ulong.MaxValue, sm.Vnodes[63].End);
        Assert.Empty(sm.PlanInitialAssignment(3));
    }

    [Fact]
    public void LeaderReports_StaleOrNonReplica_Ignored()
    {
        var sm = WithBrokers(3);
        Assert.Null(sm.Apply(new AssignVnodeCommand(7, [1, 2, 3])));
        Assert.Null(sm.Apply(new ReportVnodeLeaderCommand(7, 2, 5)));
        Assert.NotNull(sm.Apply(new ReportVnodeLeaderCommand(7, 1, 4)));
        Assert.NotNull(sm.Apply(new ReportVnodeLeaderCommand(7, 9, 6)));
        Assert.Equal((2UL, 5L), (sm.Vnodes[7].Leader, sm.Vnodes[7].Term));
        Assert.Null(sm.Apply(new ReportVnodeLeaderCommand(7, 3, 6)));
        Assert.Equal(3UL, sm.Vnodes[7].Leader);
    }

    [Fact]
    public void Deregister_WhileHoldingReplicas_Refused()
    {
        var sm = WithBrokers(4);
        Assert.NotNull(sm.Apply(new AssignVnodeCommand(1, [1, 2, 9])));
        Assert.Null(sm.Apply(new AssignVnodeCommand(1, [1, 2, 3])));
        Assert.NotNull(sm.Apply(new DeregisterBrokerCommand(3)));
        Assert.Null(sm.Apply(new DeregisterBrokerCommand(4)));
        Assert.Equal(3, sm.Brokers.Count);
        Assert.NotNull(sm.Apply(new DeregisterBrokerCommand(4)));
    }

    [Fact]
    public void Liveness_DeadAfterTimeoutWithoutHeartbeat()
    {
        var liveness = new BrokerLiveness(timeoutTicks: 3);
        Assert.False(liveness.IsLive(1));
        liveness.Heartbeat(1);
        liveness.Tick();
        liveness.Tick();
        Assert.True(liveness.IsLive(1));
        liveness.Tick();
        Assert.False(liveness.IsLive(1));
        liveness.Heartbeat(1);
        Assert.True(liveness.IsLive(1));
    }
}
