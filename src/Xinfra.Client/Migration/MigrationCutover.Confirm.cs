using Xinfra.Monitoring;
using Xinfra.Routing;

namespace Xinfra.Migration;

/// <summary>
/// Closing the race between a cut and a deferral (docs/decisions/0005, "Found" (4)). A member whose scan finds
/// source-only records defers and goes back to the source; another member whose scan, a moment later, finds none
/// writes the cut. The barrier each checked before saw no member on the source, so without more both would deliver the
/// records past the cut's floor: the deferred one from the source, the other from the target. Two checks, each after
/// its own write, so that at least one sees the other (both the group membership and the checkpoint store are
/// linearizable):
/// <list type="bullet">
/// <item>A member that adopts an unconfirmed forward cut first waits until no member reads the source and checks that
/// the group's source positions are still at or below the cut's floor (<see cref="ConfirmCutAsync"/>). Stale (a
/// deferred member committed past it): the cut is retracted by a source checkpoint of the next flip, and the group
/// cuts again from its new positions. Held: a confirmation record makes later members skip the check.</item>
/// <item>A deferred member, once its source consumer has joined (it got a record), re-reads the store before it
/// delivers anything (<see cref="DeferralHoldsAsync"/>); a forward cut written meanwhile voids the deferral.</item>
/// </list>
/// A member that joined the source before the check is seen by it; one that joined after it sees the cut.
/// Where the cluster cannot count members (librdkafka's mock) the check reads the positions once, without waiting.
/// </summary>
internal sealed partial class MigrationCutover
{
    /// <summary>True when the cut holds (and is now confirmed); false when it was stale and has been retracted.</summary>
    private async Task<bool> ConfirmCutAsync(TopicRoute route, string group, MigrationCheckpoint cut, CancellationToken cancellationToken)
    {
        var key = CheckpointStore.Key(group, route);
        var transport = transports.Get(route.Source.Cluster);
        var first = await transport.DescribeGroupAsync(group, route.Source, cancellationToken).ConfigureAwait(false);
        var source = first.Members < 0 ? first : await WaitUntilAbandonedAsync(route, route.Source, group, cancellationToken).ConfigureAwait(false);
        if (CutHolds(cut, source.Committed.Select(c => (c.Partition, c.Offset))))
        {
            await store.WriteAsync(route.Target!.Cluster, key, cut with { Confirmed = true }, cancellationToken).ConfigureAwait(false);
            return true;
        }

        // Nobody delivered from the target under this cut (every adopter confirms first): going back to the source
        // state it was cut from is exact, and the next flip takes the floor from the positions now.
        Log.CutoverRetracted(logger, route.Topic, group, cut.Flip);
        await store.WriteAsync(route.Target!.Cluster, key, Retraction(cut), cancellationToken).ConfigureAwait(false);
        return false;
    }

    /// <summary>
    /// True when an adopter must confirm <paramref name="checkpoint"/> before delivering under it: a forward cut
    /// (to the target) not confirmed yet.
    /// </summary>
    internal static bool NeedsConfirmation(MigrationCheckpoint? checkpoint) => checkpoint is { ReadsTarget: true, Confirmed: false };

    /// <summary>
    /// The confirmation's decision: the cut holds when every source position of the group, read once no member reads
    /// the source, is still at or below the cut's floor (no deferred member delivered past it).
    /// </summary>
    internal static bool CutHolds(MigrationCheckpoint cut, IEnumerable<(long Partition, long Offset)> sourcePositions) =>
        sourcePositions.All(c => c.Offset <= cut.SourceFloor.GetValueOrDefault(c.Partition));

    /// <summary>The checkpoint that retracts a stale cut: back to the source state it was cut from, as the next flip.</summary>
    internal static MigrationCheckpoint Retraction(MigrationCheckpoint cut) => new()
    {
        Flip = cut.Flip + 1,
        ReadsTarget = false,
        SourceFloor = cut.SourceFloor,
        SourceDelivered = cut.SourceDelivered,
    };

    /// <summary>The deferral re-check's decision on the newest checkpoint: a forward cut written since voids the deferral.</summary>
    internal static bool DeferralHolds(MigrationCheckpoint? latest) => latest is not { ReadsTarget: true };

    /// <summary>
    /// Whether a deferral (reading the source although the phase says target) still holds: false when a forward cut
    /// was written since. Call once the deferred member's source consumer has joined, before delivering from it.
    /// </summary>
    public async Task<bool> DeferralHoldsAsync(TopicRoute route, string group, CancellationToken cancellationToken)
    {
        var latest = await store.ReadAsync(route.Target!.Cluster, CheckpointStore.Key(group, route), cancellationToken).ConfigureAwait(false);
        return DeferralHolds(latest);
    }
}
