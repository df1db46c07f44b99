using Xinfra.Migration;

namespace Xinfra.Client.Tests.Migration;

/// <summary>
/// The pure decisions of the cutover's two checks (MigrationCutover.Confirm.cs) and of the checkpoint store's reader,
/// which the engine and the deterministic simulator both call.
/// </summary>
public sealed class CutoverDecisionTests
{
    private static readonly MigrationCheckpoint Cut = new()
    {
        Flip = 3,
        ReadsTarget = true,
        SourceFloor = new Dictionary<long, long> { [0] = 40, [1] = 25 },
        SourceDelivered = MigrationCheckpoint.Serialize(new Dictionary<long, OffsetIntervals>()),
        TargetStart = new Dictionary<long, long> { [0] = 7 },
    };

    [Fact]
    public void NeedsConfirmation_OnlyForAnUnconfirmedForwardCut()
    {
        Assert.True(MigrationCutover.NeedsConfirmation(Cut));
        Assert.False(MigrationCutover.NeedsConfirmation(Cut with { Confirmed = true }));
        Assert.False(MigrationCutover.NeedsConfirmation(Cut with { ReadsTarget = false }));
        Assert.False(MigrationCutover.NeedsConfirmation(null));
    }

    [Fact]
    public void CutHolds_WhileEverySourcePositionIsAtOrBelowTheFloor()
    {
        Assert.True(MigrationCutover.CutHolds(Cut, [(0, 40), (1, 10)]));
        Assert.True(MigrationCutover.CutHolds(Cut, []));
        Assert.False(MigrationCutover.CutHolds(Cut, [(0, 40), (1, 26)])); // a deferred member committed past the floor
        Assert.False(MigrationCutover.CutHolds(Cut, [(2, 1)])); // a partition the cut has no floor for: floor 0
    }

    [Fact]
    public void Retraction_GoesBackToTheSourceStateTheCutWasMadeFrom_AsTheNextFlip()
    {
        var retraction = MigrationCutover.Retraction(Cut);

        Assert.Equal(4, retraction.Flip);
        Assert.False(retraction.ReadsTarget);
        Assert.False(retraction.Confirmed);
        Assert.Equal(Cut.SourceFloor, retraction.SourceFloor);
        Assert.Equal(Cut.SourceDelivered, retraction.SourceDelivered);
        Assert.Empty(retraction.TargetStart);
    }

    [Fact]
    public void DeferralHolds_UntilAForwardCutIsWritten()
    {
        Assert.True(MigrationCutover.DeferralHolds(null));
        Assert.True(MigrationCutover.DeferralHolds(Cut with { ReadsTarget = false }));
        Assert.False(MigrationCutover.DeferralHolds(Cut));
    }

    [Fact]
    public void Merge_FirstRecordOfTheHighestFlipWins_AndALaterConfirmationOfItConfirmsIt()
    {
        var other = Cut with { SourceFloor = new Dictionary<long, long> { [0] = 99 } };

        var best = CheckpointStore.Merge(null, Cut);
        best = CheckpointStore.Merge(best, other); // same flip, written later: ignored
        Assert.Same(Cut, best);
        best = CheckpointStore.Merge(best, other with { Confirmed = true });
        Assert.True(best.Confirmed);
        Assert.Equal(40, best.SourceFloor[0]); // the first record's content, confirmed
        Assert.False(CheckpointStore.Merge(Cut, Cut with { Flip = 2, Confirmed = true }).Confirmed); // a confirmation of an older flip
        Assert.Equal(4, CheckpointStore.Merge(best, MigrationCutover.Retraction(Cut)).Flip);
    }
}
