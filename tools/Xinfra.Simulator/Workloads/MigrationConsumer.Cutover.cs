using Xinfra.Migration;
using Xinfra.Simulator.Engine;

namespace Xinfra.Simulator.Workloads;

/// <summary>The flip of the read epoch: the barrier, then the checkpoint adopted, written or the flip deferred.</summary>
internal sealed partial class MigrationConsumer
{
    /// <summary>PrepareAsync once no member is left on the other epoch; false while the barrier holds.</summary>
    private async Task<bool> PassBarrierAsync()
    {
        if ((ReadsTarget ? group.OnSource : group.OnTarget).Count > 0 && !World.Options.Bugs.MigrationWithoutBarrier)
        {
            return false;
        }

        var latest = group.Checkpoint;
        if (latest is null && !ReadsTarget)
        {
            return Adopt(null);
        }

        if (latest is not null && latest.ReadsTarget == ReadsTarget)
        {
            return ReadsTarget ? AdoptCut(latest) : Adopt(latest);
        }

        MigrationCheckpoint next;
        if (ReadsTarget)
        {
            var floor = new Dictionary<long, long>();
            foreach (var (partition, position) in group.CommittedSource)
            {
                floor[partition] = Math.Max(position, latest?.SourceFloor.GetValueOrDefault(partition) ?? 0);
            }

            bool? clean = World.Options.Bugs.MigrationCutWithoutScan ? true : await SourceTailIsDualWrittenAsync(floor);
            if (group.Checkpoint != latest || clean is null)
            {
                // Another member wrote a newer checkpoint meanwhile (follow it), or the source could not be read to
                // its end (the real scan throws and the member retries): start over.
                return false;
            }

            if (clean == false)
            {
                Defer(latest);
                return true;
            }

            var delivered = new Dictionary<long, OffsetIntervals>();
            foreach (var partition in latest?.SourceDelivered.Keys ?? Enumerable.Empty<long>())
            {
                var set = latest!.Delivered(partition);
                set.TrimBelow(floor.GetValueOrDefault(partition));
                delivered[partition] = set;
            }

            next = new MigrationCheckpoint
            {
                Flip = (latest?.Flip ?? 0) + 1,
                ReadsTarget = true,
                SourceFloor = floor,
                SourceDelivered = MigrationCheckpoint.Serialize(delivered),
                TargetStart = new Dictionary<long, long>(group.CommittedTarget),
            };
            group.DeliveredFromTarget.Clear();
        }
        else
        {
            var delivered = new Dictionary<long, OffsetIntervals>();
            foreach (var partition in latest!.SourceDelivered.Keys)
            {
                delivered[partition] = latest.Delivered(partition);
            }

            foreach (var (partition, set) in group.DeliveredFromTarget)
            {
                if (!delivered.TryGetValue(partition, out var into))
                {
                    delivered[partition] = into = new OffsetIntervals();
                }

                foreach (var (start, end) in set.Intervals)
                {
                    into.Add(start, end);
                }
            }

            next = new MigrationCheckpoint
            {
                Flip = latest.Flip + 1,
                ReadsTarget = false,
                SourceFloor = latest.SourceFloor,
                SourceDelivered = MigrationCheckpoint.Serialize(delivered),
            };
        }

        Store(next);
        World.Trace.Write($"migration group {group.Index} member {member}: checkpoint flip {next.Flip} reads the {(next.ReadsTarget ? "target" : "source")}, floor {Describe(next.SourceFloor)}");
        return ReadsTarget ? AdoptCut(group.Checkpoint!) : Adopt(group.Checkpoint!);
    }

    /// <summary>
    /// PrepareAsync's confirmation of a forward cut (MigrationCutover.ConfirmCutAsync, decided by the real
    /// <see cref="MigrationCutover.NeedsConfirmation"/>, <see cref="MigrationCutover.CutHolds"/> and
    /// <see cref="MigrationCutover.Retraction"/>): an unconfirmed cut is adopted only once no member reads the source
    /// and the group's source positions are still at or below its floor (then confirmed); a stale cut is retracted and
    /// the member decides again. False while it waits or after a retraction.
    /// </summary>
    private bool AdoptCut(MigrationCheckpoint cut)
    {
        if (!MigrationCutover.NeedsConfirmation(cut) || World.Options.Bugs.MigrationWithoutConfirm)
        {
            return Adopt(cut);
        }

        if (group.OnSource.Count > 0)
        {
            return false; // WaitUntilAbandonedAsync: a member (a deferred one) still reads the source.
        }

        if (MigrationCutover.CutHolds(cut, group.CommittedSource.Select(p => (p.Key, p.Value))))
        {
            var confirmed = cut with { Confirmed = true };
            Store(confirmed);
            World.Trace.Write($"migration group {group.Index} member {member}: confirms the cut of flip {cut.Flip}");
            return Adopt(confirmed);
        }

        var retraction = MigrationCutover.Retraction(cut);
        Store(retraction);
        Retractions++;
        World.Trace.Write($"migration group {group.Index} member {member}: the cut of flip {cut.Flip} is stale (source positions {Describe(group.CommittedSource)} past its floor {Describe(cut.SourceFloor)}); retracted by flip {retraction.Flip}");
        return false;
    }

    /// <summary>A checkpoint record written to the store: the group's newest is what the real store's reader merges.</summary>
    private void Store(MigrationCheckpoint record) => group.Checkpoint = CheckpointStore.Merge(group.Checkpoint, record);

    /// <summary>
    /// A deferred member whose source read got its first records, before it delivers any (DeferralHoldsAsync, the real
    /// <see cref="MigrationCutover.DeferralHolds"/>): false when a forward cut was written since the deferral; then it
    /// leaves the source without delivering and goes to the target.
    /// </summary>
    private bool DeferralStillHolds()
    {
        if (!_deferralToCheck)
        {
            return true;
        }

        _deferralToCheck = false;
        if (MigrationCutover.DeferralHolds(group.Checkpoint) || World.Options.Bugs.MigrationWithoutConfirm)
        {
            return true;
        }

        OvertakenDeferrals++;
        World.Trace.Write($"migration group {group.Index} member {member}: deferral overtaken by the cut of flip {group.Checkpoint!.Flip}; leaves the source without delivering");
        _retryAt = World.Loop.Now;
        Join(target: true);
        return false;
    }

    private bool Adopt(MigrationCheckpoint? checkpoint)
    {
        _filter = checkpoint is null ? null : new DeliveryFilter(checkpoint, ReadsTarget);
        _waiting = false;
        _consecutiveDeferrals = ReadsTarget ? 0 : _consecutiveDeferrals;
        Flips++;
        return true;
    }

    /// <summary>Records below the cut would exist on the source only: back to the source, try again later.</summary>
    private void Defer(MigrationCheckpoint? latest)
    {
        Deferrals++;
        group.OnTarget.Remove(member);
        group.OnSource.Add(member);
        ReadsTarget = false;
        _filter = latest is null ? null : new DeliveryFilter(latest, readsTarget: false);
        _waiting = false;
        _deferralToCheck = true;
        _consecutiveDeferrals = Math.Min(_consecutiveDeferrals + 1, 5);
        _retryAt = World.Loop.Now + (SimLoop.Ms(250) << (_consecutiveDeferrals - 1));
    }
}
