using Xinfra.Migration;
using Xinfra.Producing.Outbox;

namespace Xinfra.Routing;

/// <summary>
/// The rules for changing a live topic's migration state: a phase moves one step forward or back at a time; the
/// source and target epochs do not change while producers dual-write; a new migration (a target epoch appended to a
/// topic whose last epoch was fully adopted) starts again at <see cref="MigrationPhase.SourceOnly"/>.
/// </summary>
internal static class PhaseTransitions
{
    public static void Check(List<string> errors, XinfraSnapshot previous, XinfraSnapshot next, DivergenceGate? gate, DualWriteOutboxes? outboxes = null)
    {
        foreach (var (topic, route) in next.Routes)
        {
            if (!previous.Routes.TryGetValue(topic, out var old))
            {
                continue;
            }

            var path = $"{XinfraOptions.SectionName}:Topics:{topic}";
            var sameEpochs = old.Source == route.Source && old.Target == route.Target;
            if (sameEpochs)
            {
                var step = Math.Abs((int)route.Phase - (int)old.Phase);
                if (step > 1)
                {
                    errors.Add($"{path}:Phase: {old.Phase} -> {route.Phase} skips a phase; move one step at a time ({Neighbours(old.Phase)})");
                }
                else if (ChangesReadEpoch(old.Phase, route.Phase)
                    && gate is not null && !next.Options.Topics[topic].ForceCutover && !gate.AllowsReadingTarget(topic, out var reason))
                {
                    // Either way the group's cut must find every record on the epoch it moves to.
                    errors.Add($"{path}:Phase: the cutover gate refuses {route.Phase}: {reason}; set {path}:ForceCutover to true to override");
                }
                else if (StartsReadingTarget(old.Phase, route.Phase)
                    && !next.Options.Topics[topic].ForceCutover && outboxes?.Find(topic) is { Depth: > 0 } outbox)
                {
                    // Consumers of the target would miss (for now) records this process acknowledged from the source.
                    errors.Add($"{path}:Phase: {route.Phase} refused: the dual-write outbox '{outbox.Directory}' still holds {outbox.Depth} records not yet on the target ({route.Target}); wait until xinfra.dualwrite.outbox.depth is 0, or set {path}:ForceCutover to true to override");
                }

                continue;
            }

            if (old.Phase is MigrationPhase.DualWriteReadSource or MigrationPhase.DualWriteReadTarget)
            {
                errors.Add($"{path}:Epochs: the source or target epoch cannot change while the topic is in {old.Phase}; go back to SourceOnly or forward to TargetOnly first");
                continue;
            }

            var appendedAfterAdoption = old.Phase == MigrationPhase.TargetOnly && route.Source == (old.Target ?? old.Source);
            var startsOver = route.Phase == MigrationPhase.SourceOnly;
            if (route.Phase != old.Phase && !(appendedAfterAdoption && startsOver))
            {
                errors.Add($"{path}:Phase: changing the epochs and the phase together is only allowed when a new target is added after TargetOnly, starting at SourceOnly");
            }
        }
    }

    private static bool ChangesReadEpoch(MigrationPhase from, MigrationPhase to) =>
        (from, to) is (MigrationPhase.DualWriteReadSource, MigrationPhase.DualWriteReadTarget)
            or (MigrationPhase.DualWriteReadTarget, MigrationPhase.DualWriteReadSource);

    private static bool StartsReadingTarget(MigrationPhase from, MigrationPhase to) =>
        (from, to) is (MigrationPhase.DualWriteReadSource, MigrationPhase.DualWriteReadTarget)
            or (MigrationPhase.DualWriteReadTarget, MigrationPhase.TargetOnly);

    private static string Neighbours(MigrationPhase phase) => phase switch
    {
        MigrationPhase.SourceOnly => "next: DualWriteReadSource",
        MigrationPhase.DualWriteReadSource => "next: DualWriteReadTarget, back: SourceOnly",
        MigrationPhase.DualWriteReadTarget => "next: TargetOnly, back: DualWriteReadSource",
        _ => "back: DualWriteReadTarget",
    };
}
