using Xinfra.Northguard.Metadata.Commands;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Placement;
using Xinfra.Northguard.Metadata.StateMachine;

namespace Xinfra.Northguard.Tests.Metadata;

public sealed class ReplicaPlacementTests
{
    private static BrokerInfo B(ulong id, string zone, bool live = true) =>
        new(id, $"b{id}", 9000 + (int)id, new Dictionary<string, string> { ["zone"] = zone }, live);

    private static readonly BrokerInfo[] Brokers = [B(1, "a"), B(2, "a"), B(3, "b"), B(4, "c"), B(5, "c", live: false)];

    [Fact]
    public void Choose_LeastLoadedLiveBrokers_TiesById()
    {
        var load = new Dictionary<ulong, int> { [1] = 5, [2] = 0, [3] = 2, [4] = 0 };
        Assert.Equal([2UL, 4UL, 3UL], ReplicaPlacer.Choose(Brokers, load, 3));
    }

    [Fact]
    public void Choose_SpreadByZone_OnePerZone()
    {
        var load = new Dictionary<ulong, int> { [1] = 0, [2] = 0, [3] = 9, [4] = 9 };
        Assert.Equal([1UL, 3UL, 4UL], ReplicaPlacer.Choose(Brokers, load, 3, spreadBy: "zone"));
    }

    [Fact]
    public void Choose_NotEnoughLiveZonesOrBrokers_ReturnsNull()
    {
        var load = new Dictionary<ulong, int>();
        Assert.Null(ReplicaPlacer.Choose(Brokers, load, 4, spreadBy: "zone"));
        Assert.Null(ReplicaPlacer.Choose(Brokers, load, 5));
        Assert.Null(ReplicaPlacer.Choose(Brokers, load, 1, spreadBy: "zone", exclude: [1, 2, 3, 4]));
    }

    [Fact]
    public void ReplaceReplica_ForUnderReplicatedSealedSegment_KeepsZonesApart()
    {
        var sm = new VnodeStateMachine(0);
        var range = sm.Apply(new CreateTopicCommand("t", StoragePolicy.Default, 1)).Ranges[0];
        var open = sm.Apply(new OpenSegmentCommand(range, [1, 3, 5])).Segment!.Value;
        Assert.Empty(sm.FindUnderReplicated(id => id != 5)); // Open segments are sealed on failure, not re-replicated.
        Assert.Equal(MetadataStatus.Invalid, sm.Apply(new ReplaceReplicaCommand(open, 5, 4)).Status);
        sm.Apply(new SealSegmentCommand(open, 10));

        var under = Assert.Single(sm.FindUnderReplicated(id => Array.Exists(Brokers, b => b.Id == id && b.IsLive)));
        var kept = under.Replicas.Where(r => r != 5).ToArray();
        var zones = Brokers.Where(b => kept.Contains(b.Id)).Select(b => b.Attributes["zone"]).ToArray();
        var target = ReplicaPlacer.Choose(Brokers, new Dictionary<ulong, int>(), 1, "zone", exclude: under.Replicas.ToArray(), usedValues: zones);
        Assert.Equal([4UL], target);

        Assert.True(sm.Apply(new ReplaceReplicaCommand(open, 5, target![0])).IsOk);
        Assert.True(sm.TryGetSegment(open, out var fixedSegment));
        Assert.Equal([1UL, 3UL, 4UL], fixedSegment.Replicas);
        Assert.Empty(sm.FindUnderReplicated(id => id != 5));
        Assert.Equal(MetadataStatus.Invalid, sm.Apply(new ReplaceReplicaCommand(open, 5, 2)).Status);
        var decoded = MetadataCommandCodec.Decode(MetadataCommandCodec.Encode(new ReplaceReplicaCommand(open, 5, 4)));
        Assert.Equal(new ReplaceReplicaCommand(open, 5, 4), decoded);
    }
}
