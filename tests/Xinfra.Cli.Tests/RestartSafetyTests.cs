using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Placement;
using Xinfra.Northguard.Metadata.Ring;
using Xinfra.Northguard.Metadata.StateMachine;
using Xinfra.Northguard.Operations;

namespace Xinfra.Cli.Tests;

public sealed class RestartSafetyTests
{
    private static readonly RangeId Range = new(7);

    private static BrokerInfo Broker(ulong id, bool live = true) => new(id, "127.0.0.1", 1000 + (int)id, new Dictionary<string, string>(), live);

    private static TopicDescription Topic(int replicationFactor, params SegmentInfo[] segments) => new(
        new TopicInfo("t", StoragePolicy.Default with { ReplicationFactor = replicationFactor }, [Range]),
        [new RangeInfo(Range, "t", 0, ulong.MaxValue, RangeState.Active, [], [], segments.Length)],
        segments);

    private static SegmentInfo Segment(int sequence, SegmentState state, params ulong[] replicas) => new(new SegmentId(Range, sequence), state, replicas, 10);

    [Fact]
    public void Evaluate_EveryReplicaLive_Safe()
    {
        var report = RestartSafety.Evaluate(1, [Topic(3, Segment(0, SegmentState.Sealed, 1, 2, 3), Segment(1, SegmentState.Open, 1, 2, 3))], [Broker(1), Broker(2), Broker(3)]);

        Assert.True(report.Safe);
        Assert.Equal(2, report.SegmentsOnBroker);
    }

    [Fact]
    public void Evaluate_OtherReplicaDown_BlocksOnlySegmentsOnTheBroker()
    {
        var topics = new[] { Topic(3, Segment(0, SegmentState.Sealed, 1, 2, 3), Segment(1, SegmentState.Open, 2, 3, 4)) };
        var brokers = new[] { Broker(1), Broker(2), Broker(3, live: false), Broker(4) };

        var one = RestartSafety.Evaluate(1, topics, brokers);
        Assert.False(one.Safe);
        var blocking = Assert.Single(one.Blocking);
        Assert.Equal(RestartBlocker.AlreadyUnderReplicated, blocking.Reason);
        Assert.Equal(2, blocking.LiveReplicas);

        // Broker 4 holds only the open segment, which broker 3's absence also affects.
        Assert.False(RestartSafety.Evaluate(4, topics, brokers).Safe);
        Assert.True(RestartSafety.Evaluate(5, topics, [.. brokers, Broker(5)]).Safe);
    }

    [Fact]
    public void Evaluate_SingleReplica_OnlyLiveReplica()
    {
        var report = RestartSafety.Evaluate(2, [Topic(1, Segment(0, SegmentState.Sealed, 2))], [Broker(1), Broker(2)]);

        Assert.Equal(RestartBlocker.OnlyLiveReplica, Assert.Single(report.Blocking).Reason);
    }

    [Fact]
    public void Evaluate_FewerReplicasThanFactor_AlreadyUnderReplicated()
    {
        var report = RestartSafety.Evaluate(1, [Topic(3, Segment(0, SegmentState.Sealed, 1, 2))], [Broker(1), Broker(2), Broker(3)]);

        Assert.Equal(RestartBlocker.AlreadyUnderReplicated, Assert.Single(report.Blocking).Reason);
    }
}
