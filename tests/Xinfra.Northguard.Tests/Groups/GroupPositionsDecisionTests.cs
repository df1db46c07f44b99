using Xinfra.Northguard.Groups;
using Xinfra.Northguard.Metadata.Model;

namespace Xinfra.Northguard.Tests.Groups;

/// <summary>
/// The pure decisions of <see cref="GroupPositions"/> (what a claim and a commit write, or refuse), which the engine's
/// compare-and-set loop and the deterministic simulator both call.
/// </summary>
public sealed class GroupPositionsDecisionTests
{
    [Fact]
    public void Claimed_RaisesTheEpochForTheMember_AndKeepsTheOffset()
    {
        var claimed = GroupPositions.Claimed(new PositionDocument(120, 4, "a"), "b");

        Assert.Equal(new PositionDocument(120, 5, "b"), claimed);
    }

    [Fact]
    public void Committed_ByTheHolder_WritesTheOffsetUnderItsLease()
    {
        Assert.Equal(new PositionDocument(150, 5, "b"), GroupPositions.Committed(new PositionDocument(120, 5, "b"), 150, 5, "b"));
    }

    [Fact]
    public void Committed_UnderAnOlderLeaseOrTheSameEpochOfAnotherMember_IsRefused()
    {
        Assert.Null(GroupPositions.Committed(new PositionDocument(120, 5, "b"), 150, 4, "a"));
        Assert.Null(GroupPositions.Committed(new PositionDocument(120, 5, "b"), 150, 5, "a"));
    }

    [Fact]
    public void Committed_OverADocumentThatLostItsLease_TakesTheCommitsLease()
    {
        // A document from before fencing (epoch 0, no holder), or restored from an older state.
        Assert.Equal(new PositionDocument(150, 3, "a"), GroupPositions.Committed(new PositionDocument(120, 0, ""), 150, 3, "a"));
        Assert.Equal(new PositionDocument(150, 3, "a"), GroupPositions.Committed(new PositionDocument(120, 2, "z"), 150, 3, "a"));
    }

    [Fact]
    public void Committed_WithoutALease_IsUnconditional_AndKeepsTheLeaseFields()
    {
        Assert.Equal(new PositionDocument(90, 5, "b"), GroupPositions.Committed(new PositionDocument(120, 5, "b"), 90, null, "a"));
    }

    [Fact]
    public void Parse_AnAbsentDocument_HasNoOffsetAndNoLease()
    {
        var absent = GroupPositions.Parse(null);
        var stored = GroupPositions.Parse(new ConfigDocument("k", 3, new PositionDocument(7, 2, "m").Encode()));

        Assert.False(absent.HasOffset);
        Assert.Equal(0, absent.Epoch);
        Assert.Equal(new PositionDocument(7, 2, "m"), stored);
    }
}
