using Microsoft.Extensions.Logging;
using Xinfra.Monitoring;
using Xinfra.Routing;

namespace Xinfra.Migration;

/// <summary>
/// Decides, when a group member (re)joins a migrating topic, which records of the epoch it reads were already
/// delivered: it reads the group's newest checkpoint and, when the read epoch flipped since, waits until no member of
/// the group is left on the other epoch, computes the cut, and writes the next checkpoint (docs/design/migration.md).
/// </summary>
internal sealed partial class MigrationCutover(
    TransportRegistry transports,
    CheckpointStore store,
    TimeProvider timeProvider,
    ILogger logger,
    TimeSpan quietPeriod)
{
    /// <summary>
    /// Which epoch to read and which of its records to skip. The plan reads the source although the phase says target
    /// (<see cref="CutoverPlan.Deferred"/>) while the group has not consumed records that exist on the source only.
    /// </summary>
    /// A target plan is returned only once its cut is confirmed (<see cref="ConfirmCutAsync"/>).
    public async Task<CutoverPlan> PrepareAsync(TopicRoute route, string group, CancellationToken cancellationToken)
    {
        while (true)
        {
            var plan = await DecideAsync(route, group, cancellationToken).ConfigureAwait(false);
            if (plan.Deferred || plan.Filter?.Checkpoint is not { } cut || !NeedsConfirmation(cut))
            {
                return plan;
            }

            if (await ConfirmCutAsync(route, group, cut, cancellationToken).ConfigureAwait(false))
            {
                return plan with { Filter = new DeliveryFilter(cut with { Confirmed = true }, readsTarget: true) };
            }
        }
    }

    private async Task<CutoverPlan> DecideAsync(TopicRoute route, string group, CancellationToken cancellationToken)
    {
        if (route.Target is null)
        {
            return new CutoverPlan(route.ReadFrom, null, Deferred: false);
        }

        var readsTarget = route.ReadFrom == route.Target;
        var key = CheckpointStore.Key(group, route);
        var latest = await store.ReadAsync(route.Target.Cluster, key, cancellationToken).ConfigureAwait(false);
        if (latest is null && !readsTarget)
        {
            return new CutoverPlan(route.Source, null, Deferred: false);
        }

        if (latest is not null && latest.ReadsTarget == readsTarget)
        {
            return new CutoverPlan(route.ReadFrom, new DeliveryFilter(latest, readsTarget), Deferred: false);
        }

        MigrationCheckpoint next;
        if (readsTarget)
        {
            var flip = await FlipToTargetAsync(route, group, latest, cancellationToken).ConfigureAwait(false);
            if (flip is null)
            {
                // Another member of the group may have cut over meanwhile (its scan ran later and found nothing left):
                // then this member must follow it, not go back to the source, or both would deliver the records past
                // that cut.
                var now = await store.ReadAsync(route.Target.Cluster, key, cancellationToken).ConfigureAwait(false);
                if (now is { ReadsTarget: true } && now.Flip > (latest?.Flip ?? 0))
                {
                    Log.CutoverCheckpoint(logger, route.Topic, group, now.Flip, route.Target.ToString());
                    return new CutoverPlan(route.ReadFrom, new DeliveryFilter(now, readsTarget: true), Deferred: false);
                }

                // Records below the cut would exist on the source only: keep reading the source, try again later (with
                // the newest source checkpoint: a member may have flipped the group back since this one read it).
                var reading = now is { ReadsTarget: false } && now.Flip > (latest?.Flip ?? 0) ? now : latest;
                return new CutoverPlan(route.Source, reading is null ? null : new DeliveryFilter(reading, readsTarget: false), Deferred: true);
            }

            next = flip;
        }
        else
        {
            next = await FlipToSourceAsync(route, group, latest!, cancellationToken).ConfigureAwait(false);
        }

        await store.WriteAsync(route.Target.Cluster, key, next, cancellationToken).ConfigureAwait(false);

        // Members racing through the same flip all adopt the first checkpoint written for it.
        var adopted = await store.ReadAsync(route.Target.Cluster, key, cancellationToken).ConfigureAwait(false) ?? next;
        Log.CutoverCheckpoint(logger, route.Topic, group, adopted.Flip, adopted.ReadsTarget ? route.Target.ToString() : route.Source.ToString());
        if (adopted.ReadsTarget != readsTarget)
        {
            // This member's flip is stale: while it waited at the barrier, other members went through this flip and the
            // next one, back the other way (the phase flipped twice). The group reads where the newest checkpoint says,
            // with that checkpoint's filter; reading this route's epoch with it would deliver again what the group
            // delivered from the other epoch. Follow the group: a source checkpoint is read as a deferral (re-checked
            // after joining, retried later), a forward cut is confirmed first (PrepareAsync); the consumer then follows
            // the phase as usual.
            return adopted.ReadsTarget
                ? new CutoverPlan(route.Target, new DeliveryFilter(adopted, readsTarget: true), Deferred: false)
                : new CutoverPlan(route.Source, new DeliveryFilter(adopted, readsTarget: false), Deferred: true);
        }

        return new CutoverPlan(route.ReadFrom, new DeliveryFilter(adopted, readsTarget), Deferred: false);
    }

    private async Task<MigrationCheckpoint?> FlipToTargetAsync(TopicRoute route, string group, MigrationCheckpoint? latest, CancellationToken cancellationToken)
    {
        var source = await WaitUntilAbandonedAsync(route, route.Source, group, cancellationToken).ConfigureAwait(false);
        var floor = new Dictionary<long, long>();
        foreach (var position in source.Committed)
        {
            floor[position.Partition] = Math.Max(position.Offset, latest?.SourceFloor.GetValueOrDefault(position.Partition) ?? 0);
        }

        var unsafeRecords = await SourceOnlyRecordsAsync(route, floor, cancellationToken).ConfigureAwait(false);
        if (unsafeRecords > 0)
        {
            Log.CutoverDeferred(logger, route.Topic, group, unsafeRecords);
            return null;
        }

        var delivered = new Dictionary<long, OffsetIntervals>();
        foreach (var partition in latest?.SourceDelivered.Keys ?? Enumerable.Empty<long>())
        {
            var set = latest!.Delivered(partition);
            set.TrimBelow(floor.GetValueOrDefault(partition));
            delivered[partition] = set;
        }

        var target = transports.Get(route.Target!.Cluster);
        var committed = await target.DescribeGroupAsync(group, route.Target, cancellationToken).ConfigureAwait(false);
        var described = await target.DescribeTopicAsync(route.Target, cancellationToken).ConfigureAwait(false);
        var start = new Dictionary<long, long>();
        foreach (var partition in described)
        {
            var mine = committed.Committed.FirstOrDefault(c => c.TopicPartition == partition.TopicPartition);
            start[partition.TopicPartition.Partition] = mine.Offset >= 0 ? mine.Offset : partition.Watermarks.Low;
        }

        return new MigrationCheckpoint
        {
            Flip = (latest?.Flip ?? 0) + 1,
            ReadsTarget = true,
            SourceFloor = floor,
            SourceDelivered = MigrationCheckpoint.Serialize(delivered),
            TargetStart = start,
        };
    }

    private async Task<MigrationCheckpoint> FlipToSourceAsync(TopicRoute route, string group, MigrationCheckpoint latest, CancellationToken cancellationToken)
    {
        var target = await WaitUntilAbandonedAsync(route, route.Target!, group, cancellationToken).ConfigureAwait(false);
        var delivered = new Dictionary<long, OffsetIntervals>();
        foreach (var partition in latest.SourceDelivered.Keys)
        {
            delivered[partition] = latest.Delivered(partition);
        }

        // Everything the group delivered from the target since the last flip, in source coordinates.
        var filter = new DeliveryFilter(latest, readsTarget: true);
        var ends = target.Committed.Where(c => c.Offset > latest.TargetStart.GetValueOrDefault(c.Partition)).ToList();
        await foreach (var record in PartitionScan.ReadAsync(transports.Get(route.Target!.Cluster), route.Target, latest.TargetStart, ends, cancellationToken).ConfigureAwait(false))
        {
            if (filter.ShouldDeliver(record) && DeliveryFilter.SourcePosition(record) is { } src)
            {
                if (!delivered.TryGetValue(src.Partition, out var set))
                {
                    delivered[src.Partition] = set = new OffsetIntervals();
                }

                set.Add(src.Offset);
            }
        }

        return new MigrationCheckpoint
        {
            Flip = latest.Flip + 1,
            ReadsTarget = false,
            SourceFloor = latest.SourceFloor,
            SourceDelivered = MigrationCheckpoint.Serialize(delivered),
        };
    }

    /// <summary>
    /// Records at or past the cut that exist on the source only: written before dual writing (no
    /// <see cref="RecordHeaderNames.Phase"/> header) and not yet copied by the backfill mirror. Stops at the first.
    /// </summary>
    private async Task<int> SourceOnlyRecordsAsync(TopicRoute route, Dictionary<long, long> floor, CancellationToken cancellationToken)
    {
        var source = transports.Get(route.Source.Cluster);
        var partitions = await source.DescribeTopicAsync(route.Source, cancellationToken).ConfigureAwait(false);
        var mirrored = await source.DescribeGroupAsync(TopicMirror.GroupFor(route.Topic), route.Source, cancellationToken).ConfigureAwait(false);
        var starts = new Dictionary<long, long>();
        var ends = new List<Transport.TopicPartitionOffset>();
        foreach (var partition in partitions)
        {
            var p = partition.TopicPartition.Partition;
            var copied = mirrored.Committed.FirstOrDefault(c => c.TopicPartition == partition.TopicPartition).Offset;
            starts[p] = Math.Max(Math.Max(floor.GetValueOrDefault(p), copied), partition.Watermarks.Low);
            if (partition.Watermarks.High > starts[p])
            {
                ends.Add(new Transport.TopicPartitionOffset(partition.TopicPartition, partition.Watermarks.High));
            }
        }

        await foreach (var record in PartitionScan.ReadAsync(source, route.Source, starts, ends, cancellationToken).ConfigureAwait(false))
        {
            if (!record.Headers.Any(h => h.Name == RecordHeaderNames.Phase))
            {
                return 1;
            }
        }

        return 0;
    }
}

/// <summary>What a member reads after (re)joining a migrating topic.</summary>
/// <param name="Read">The epoch to read.</param>
/// <param name="Filter">Which of its records to skip, or null.</param>
/// <param name="Deferred">True when the phase says target but the group must first finish the source-only records.</param>
internal sealed record CutoverPlan(Transport.PhysicalTopic Read, DeliveryFilter? Filter, bool Deferred);
