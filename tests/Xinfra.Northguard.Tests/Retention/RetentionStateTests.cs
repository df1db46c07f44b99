using Xinfra.Northguard.Metadata.Commands;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Ring;
using Xinfra.Northguard.Metadata.StateMachine;

namespace Xinfra.Northguard.Tests.Retention;

/// <summary>Retention in the vnode state machine: what is due, what applying does, and what survives snapshots and the codec.</summary>
public sealed class RetentionStateTests
{
    private const long Hour = 3_600_000;

    /// <summary>One range with segments sealed at the given times (ms) and an open last segment.</summary>
    private static (VnodeStateMachine Sm, RangeId Range) Chain(TimeSpan? retention, params long[] sealedAt)
    {
        var sm = new VnodeStateMachine(3);
        var range = sm.Apply(new CreateTopicCommand("logs", StoragePolicy.Default with { RetentionTime = retention }, 1)).Ranges[0];
        long end = 0;
        foreach (long at in sealedAt)
        {
            var segment = sm.Apply(new OpenSegmentCommand(range, [1, 2, 3])).Segment!.Value;
            end += 100;
            Assert.True(sm.Apply(new SealSegmentCommand(segment, end) { SealedAtUnixMs = at }).IsOk);
        }

        Assert.True(sm.Apply(new OpenSegmentCommand(range, [1, 2, 3])).IsOk);
        return (sm, range);
    }

    [Fact]
    public void RetentionDue_ExpiredPrefix_IsProposedOnceAndAppliedAsDeletedKeepingEndOffsets()
    {
        var (sm, range) = Chain(TimeSpan.FromHours(1), 0, Hour / 2, 2 * Hour);

        Assert.Empty(sm.RetentionDue(Hour - 1));
        var due = Assert.Single(sm.RetentionDue(Hour + Hour / 2));
        Assert.Equal(new DeleteSegmentsCommand(range, 1), due);
        Assert.True(sm.Apply(due).IsOk);

        var segments = sm.Describe("logs")!.Segments;
        Assert.Equal([SegmentState.Deleted, SegmentState.Deleted, SegmentState.Sealed, SegmentState.Open], segments.Select(s => s.State));
        Assert.Equal([100L, 200, 300], segments.Take(3).Select(s => s.EndOffset));
        Assert.Empty(sm.RetentionDue(Hour + Hour / 2));
        Assert.Equal(new DeleteSegmentsCommand(range, 2), Assert.Single(sm.RetentionDue(4 * Hour)));
    }

    [Fact]
    public void RetentionDue_NeverTheOpenSegment_NorPastAnUnknownSealTime_NorWithoutRetention()
    {
        var (sm, range) = Chain(TimeSpan.FromHours(1), 0, -1, 0);
        Assert.Equal(new DeleteSegmentsCommand(range, 0), Assert.Single(sm.RetentionDue(100 * Hour)));

        var (forever, _) = Chain(null, 0, 0);
        Assert.Empty(forever.RetentionDue(100 * Hour));
    }

    [Fact]
    public void RetentionDue_BySize_DeletesTheOldestWhileTheRangeHoldsMoreThanTheBudget()
    {
        var sm = new VnodeStateMachine(3);
        var policy = StoragePolicy.Default with { RetentionTime = null, RetentionBytes = 250 };
        var range = sm.Apply(new CreateTopicCommand("sized", policy, 1)).Ranges[0];
        long[] sizes = [100, 100, 100, -1, 100];
        for (int i = 0; i < sizes.Length; i++)
        {
            var segment = sm.Apply(new OpenSegmentCommand(range, [1, 2, 3])).Segment!.Value;
            sm.Apply(new SealSegmentCommand(segment, (i + 1) * 10) { SealedAtUnixMs = i, SizeBytes = sizes[i] });
        }

        // 400 known bytes: the oldest two go (300, then 200 <= 250); the unknown-size one (3) is never passed.
        Assert.Equal(new DeleteSegmentsCommand(range, 1), Assert.Single(sm.RetentionDue(1000)));
        Assert.True(sm.Apply(new DeleteSegmentsCommand(range, 1)).IsOk);
        Assert.Empty(sm.RetentionDue(1000));
    }

    [Fact]
    public void DeleteSegments_ReachingTheOpenSegmentOrBeyondTheChain_IsRefusedAndChangesNothing()
    {
        var (sm, range) = Chain(TimeSpan.FromHours(1), 0);
        byte[] before = sm.CreateSnapshot();

        Assert.Equal(MetadataStatus.Invalid, sm.Apply(new DeleteSegmentsCommand(range, 1)).Status);
        Assert.Equal(MetadataStatus.Invalid, sm.Apply(new DeleteSegmentsCommand(range, 5)).Status);
        Assert.Equal(MetadataStatus.UnknownRange, sm.Apply(new DeleteSegmentsCommand(RangeId.Create(3, 99), 0)).Status);
        Assert.Equal(before, sm.CreateSnapshot());
        Assert.True(sm.Apply(new DeleteSegmentsCommand(range, 0)).IsOk);
        Assert.True(sm.Apply(new DeleteSegmentsCommand(range, 0)).IsOk);
    }

    [Fact]
    public void Snapshot_KeepsSealTimesAndDeletions()
    {
        var (sm, range) = Chain(TimeSpan.FromHours(1), 10, 20);
        sm.Apply(new DeleteSegmentsCommand(range, 0));

        var copy = new VnodeStateMachine(3);
        copy.Restore(sm.CreateSnapshot());

        Assert.Equal(sm.CreateSnapshot(), copy.CreateSnapshot());
        Assert.Equal(
            sm.Describe("logs")!.Segments.Select(s => (s.Id, s.State, s.EndOffset, s.SealedAtUnixMs)),
            copy.Describe("logs")!.Segments.Select(s => (s.Id, s.State, s.EndOffset, s.SealedAtUnixMs)));
        Assert.Equal(20, copy.Describe("logs")!.Segments[1].SealedAtUnixMs);
    }

    [Fact]
    public void Codec_RoundTripsSealTimeAndDeletion_AndReadsSealsWrittenWithoutATime()
    {
        var segment = new SegmentId(RangeId.Create(3, 7), 2);
        var seal = new SealSegmentCommand(segment, 99) { SealedAtUnixMs = 1234, SizeBytes = 4096 };
        Assert.Equal(seal, MetadataCommandCodec.Decode(MetadataCommandCodec.Encode(seal)));
        var delete = new DeleteSegmentsCommand(RangeId.Create(3, 7), 4);
        Assert.Equal(delete, MetadataCommandCodec.Decode(MetadataCommandCodec.Encode(delete)));

        byte[] withTime = MetadataCommandCodec.Encode(seal);
        byte[] legacy = withTime[..^16];
        var decoded = Assert.IsType<SealSegmentCommand>(MetadataCommandCodec.Decode(legacy));
        Assert.Equal(-1, decoded.SealedAtUnixMs);
        Assert.Equal(-1, decoded.SizeBytes);
        Assert.Equal(99, decoded.EndOffset);
    }
}
