using Xinfra.Northguard.Metadata.Commands;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Ring;
using Xinfra.Northguard.Metadata.StateMachine;

namespace Xinfra.Northguard.Tests.Metadata;

public sealed class VnodeStateMachineTests
{
    private static readonly StoragePolicy Rf3 = StoragePolicy.Default;

    private static (VnodeStateMachine Sm, IReadOnlyList<RangeId> Ranges) WithTopic(int ranges = 2)
    {
        var sm = new VnodeStateMachine(5);
        var result = sm.Apply(new CreateTopicCommand("orders", Rf3, ranges));
        Assert.True(result.IsOk);
        return (sm, result.Ranges);
    }

    [Fact]
    public void CreateTopic_CoversKeySpaceWithAdjacentRanges_OwnedByTheVnode()
    {
        var (sm, ids) = WithTopic(3);
        var d = sm.Describe("orders")!;
        Assert.Equal(3, d.Ranges.Count);
        Assert.Equal(0UL, d.Ranges[0].KeyStart);
        Assert.Equal(ulong.MaxValue, d.Ranges[2].KeyEnd);
        Assert.Equal(d.Ranges[0].KeyEnd + 1, d.Ranges[1].KeyStart);
        Assert.Equal(d.Ranges[1].KeyEnd + 1, d.Ranges[2].KeyStart);
        Assert.All(ids, id => Assert.Equal(5, id.Vnode));
    }

    [Fact]
    public void CreateTopic_Twice_TopicExists_StateUnchanged()
    {
        var (sm, _) = WithTopic();
        byte[] before = sm.CreateSnapshot();
        Assert.Equal(MetadataStatus.TopicExists, sm.Apply(new CreateTopicCommand("orders", Rf3, 1)).Status);
        Assert.Equal(before, sm.CreateSnapshot());
    }

    [Theory]
    [InlineData("", 1, 3)]
    [InlineData("t", 0, 3)]
    [InlineData("t", 1, 0)]
    [InlineData("t", 1, 9)]
    public void CreateTopic_Invalid_RefusedWithReason(string name, int ranges, int rf)
    {
        var sm = new VnodeStateMachine(0);
        var result = sm.Apply(new CreateTopicCommand(name, Rf3 with { ReplicationFactor = rf }, ranges));
        Assert.Equal(MetadataStatus.Invalid, result.Status);
        Assert.False(string.IsNullOrEmpty(result.Message));
        Assert.Equal(0, sm.TopicCount);
    }

    [Fact]
    public void SegmentLifecycle_OpenSealOpenNext_ChainGrows()
    {
        var (sm, ids) = WithTopic(1);
        var open = sm.Apply(new OpenSegmentCommand(ids[0], [1, 2, 3]));
        Assert.True(open.IsOk);
        Assert.Equal(MetadataStatus.Invalid, sm.Apply(new OpenSegmentCommand(ids[0], [1, 2, 3])).Status);
        Assert.True(sm.Apply(new SealSegmentCommand(open.Segment!.Value, 1000)).IsOk);
        Assert.Equal(MetadataStatus.Invalid, sm.Apply(new SealSegmentCommand(open.Segment!.Value, 1000)).Status);
        var next = sm.Apply(new OpenSegmentCommand(ids[0], [2, 3, 4]));
        Assert.Equal(1, next.Segment!.Value.Sequence);
        Assert.True(sm.TryGetSegment(open.Segment!.Value, out var sealedSegment));
        Assert.Equal(SegmentState.Sealed, sealedSegment.State);
        Assert.Equal(1000, sealedSegment.EndOffset);
    }

    [Fact]
    public void OpenSegment_WrongReplicaCount_Refused()
    {
        var (sm, ids) = WithTopic(1);
        Assert.Equal(MetadataStatus.Invalid, sm.Apply(new OpenSegmentCommand(ids[0], [1])).Status);
        Assert.Equal(MetadataStatus.Invalid, sm.Apply(new OpenSegmentCommand(ids[0], [1, 1, 2])).Status);
        Assert.Equal(MetadataStatus.Invalid, sm.Apply(new OpenSegmentCommand(ids[0], [1, 2, 3, 4])).Status);
    }

    [Fact]
    public void OpenSegment_OnAMajority_IsUnderReplicatedOnceSealed_AndGainsAReplica()
    {
        var (sm, ids) = WithTopic(1);
        var segment = sm.Apply(new OpenSegmentCommand(ids[0], [1, 2])).Segment!.Value;
        Assert.Empty(sm.FindUnderReplicated(_ => true));
        Assert.Equal(MetadataStatus.Invalid, sm.Apply(new ReplaceReplicaCommand(segment, 0, 3)).Status);

        sm.Apply(new SealSegmentCommand(segment, 10));
        Assert.Equal(segment, Assert.Single(sm.FindUnderReplicated(_ => true)).Id);
        Assert.Equal(MetadataStatus.Invalid, sm.Apply(new ReplaceReplicaCommand(segment, 0, 2)).Status);
        Assert.True(sm.Apply(new ReplaceReplicaCommand(segment, 0, 3)).IsOk);

        Assert.True(sm.TryGetSegment(segment, out var full));
        Assert.Equal([1UL, 2, 3], full.Replicas);
        Assert.Empty(sm.FindUnderReplicated(_ => true));
        Assert.Equal(MetadataStatus.Invalid, sm.Apply(new ReplaceReplicaCommand(segment, 0, 4)).Status);
    }

    [Fact]
    public void SplitThenMerge_RetiresParents_KeepsCoverAndLineage()
    {
        var (sm, ids) = WithTopic(1);
        var split = sm.Apply(new SplitRangeCommand(ids[0], 1UL << 63));
        Assert.True(split.IsOk);
        Assert.True(sm.TryGetRange(ids[0], out var parent));
        Assert.Equal(RangeState.Retired, parent.State);
        Assert.Equal(split.Ranges, parent.Children);
        Assert.True(sm.TryGetRange(split.Ranges[0], out var left));
        Assert.True(sm.TryGetRange(split.Ranges[1], out var right));
        Assert.Equal((1UL << 63) - 1, left.KeyEnd);
        Assert.Equal(1UL << 63, right.KeyStart);
        Assert.Equal([ids[0]], left.Parents);

        Assert.Equal(MetadataStatus.Invalid, sm.Apply(new MergeRangesCommand(right.Id, left.Id)).Status);
        var merge = sm.Apply(new MergeRangesCommand(left.Id, right.Id));
        Assert.True(merge.IsOk);
        Assert.True(sm.TryGetRange(merge.Ranges[0], out var child));
        Assert.Equal((0UL, ulong.MaxValue), (child.KeyStart, child.KeyEnd));
        Assert.Equal([left.Id, right.Id], child.Parents);
        Assert.Equal(4, sm.Describe("orders")!.Ranges.Count);
    }

    [Fact]
    public void Split_WithOpenSegmentOrOutsidePoint_Refused()
    {
        var (sm, ids) = WithTopic(2);
        Assert.True(sm.TryGetRange(ids[1], out var r1));
        Assert.Equal(MetadataStatus.Invalid, sm.Apply(new SplitRangeCommand(ids[1], r1.KeyStart)).Status);
        Assert.True(sm.Apply(new OpenSegmentCommand(ids[0], [1, 2, 3])).IsOk);
        Assert.Equal(MetadataStatus.Invalid, sm.Apply(new SplitRangeCommand(ids[0], 5)).Status);
        Assert.Equal(MetadataStatus.UnknownRange, sm.Apply(new SplitRangeCommand(RangeId.Create(5, 999), 5)).Status);
    }

    [Fact]
    public void DeleteTopic_RemovesRangesAndSegments()
    {
        var (sm, ids) = WithTopic(1);
        var seg = sm.Apply(new OpenSegmentCommand(ids[0], [1, 2, 3])).Segment!.Value;
        Assert.True(sm.Apply(new DeleteTopicCommand("orders")).IsOk);
        Assert.Null(sm.Describe("orders"));
        Assert.False(sm.TryGetRange(ids[0], out _));
        Assert.False(sm.TryGetSegment(seg, out _));
        Assert.Equal(MetadataStatus.UnknownTopic, sm.Apply(new DeleteTopicCommand("orders")).Status);
    }

    [Fact]
    public void Snapshot_RoundTrip_RestoresEqualStateAndContinuesIdentically()
    {
        var (sm, ids) = WithTopic(2);
        sm.Apply(new CreateTopicCommand("payments", Rf3 with { RetentionTime = null, RetentionBytes = 1 << 20 }, 1));
        var seg = sm.Apply(new OpenSegmentCommand(ids[0], [1, 2, 3])).Segment!.Value;
        sm.Apply(new SealSegmentCommand(seg, 42));
        sm.Apply(new SplitRangeCommand(ids[0], 1000));

        var copy = new VnodeStateMachine(5);
        copy.Restore(sm.CreateSnapshot());
        Assert.Equal(sm.CreateSnapshot(), copy.CreateSnapshot());
        Assert.Equal(sm.Describe("payments")!.Topic.Policy, copy.Describe("payments")!.Topic.Policy);
        var next = new CreateTopicCommand("later", Rf3, 1);
        Assert.Equal(sm.Apply(next).Ranges, copy.Apply(next).Ranges);
        Assert.Throws<FormatException>(() => new VnodeStateMachine(6).Restore(sm.CreateSnapshot()));
    }

    [Fact]
    public void Commands_EncodeDecode_RoundTrip_AndGarbageIsInvalidNotThrown()
    {
        MetadataCommand[] commands =
        [
            new CreateTopicCommand("t", Rf3 with { RetentionTime = null }, 4),
            new DeleteTopicCommand("t"),
            new SplitRangeCommand(RangeId.Create(1, 2), 77),
            new MergeRangesCommand(RangeId.Create(1, 2), RangeId.Create(1, 3)),
            new SealSegmentCommand(new SegmentId(RangeId.Create(1, 2), 3), 99),
        ];
        foreach (var command in commands)
        {
            Assert.Equal(command, MetadataCommandCodec.Decode(MetadataCommandCodec.Encode(command)));
        }

        var open = (OpenSegmentCommand)MetadataCommandCodec.Decode(MetadataCommandCodec.Encode(new OpenSegmentCommand(RangeId.Create(1, 2), [4, 5, 6])));
        Assert.Equal([4UL, 5UL, 6UL], open.Replicas);
        Assert.Equal(MetadataStatus.Invalid, new VnodeStateMachine(0).Apply(new byte[] { 1, 99 }).Status);
        Assert.Equal(MetadataStatus.Invalid, new VnodeStateMachine(0).Apply(new byte[] { 1, 1, 5 }).Status);
    }
}
