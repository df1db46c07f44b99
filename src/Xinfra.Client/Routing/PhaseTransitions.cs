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
                var force = next.Options.Topics[topic].ForceCutover;
                var outbox = outboxes?.Find(topic);
                string? reason = null;
                switch (JudgeStep(old.Phase, route.Phase, force, () => gate is not null && !gate.AllowsReadingTarget(topic, out reason), outbox?.Depth ?? 0))
                {
                    case PhaseStepVerdict.SkipsPhase:
                        errors.Add($"{path}:Phase: {old.Phase} -> {route.Phase} skips a phase; move one step at a time ({Neighbours(old.Phase)})");
                        break;
                    case PhaseStepVerdict.GateRefuses:
                        // Either way the group's cut must find every record on the epoch it moves to.
                        errors.Add($"{path}:Phase: the cutover gate refuses {route.Phase}: {reason}; set {path}:ForceCutover to true to override");
                        break;
                    case PhaseStepVerdict.OutboxNotEmpty:
                        // Consumers of the target would miss (for now) records this process acknowledged from the source.
                        errors.Add($"{path}:Phase: {route.Phase} refused: the dual-write outbox '{outbox!.Directory}' still holds {outbox.Depth} records not yet on the target ({route.Target}); wait until xinfra.dualwrite.outbox.depth is 0, or set {path}:ForceCutover to true to override");
                        break;
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

    /// <summary>
    /// The verdict on a phase change with unchanged epochs, in the order the rules apply: a skipped phase; a change
    /// of the read epoch the cutover gate refuses (<paramref name="gateRefuses"/> is asked only then); a flip that
    /// starts reading the target while the outbox holds records. <paramref name="forceCutover"/> overrides the last two.
    /// </summary>
    internal static PhaseStepVerdict JudgeStep(MigrationPhase from, MigrationPhase to, bool forceCutover, Func<bool> gateRefuses, long outboxDepth)
    {
        if (Math.Abs((int)to - (int)from) > 1)
        {
            return PhaseStepVerdict.SkipsPhase;
        }

        if (ChangesReadEpoch(from, to) && !forceCutover && gateRefuses())
        {
            return PhaseStepVerdict.GateRefuses;
        }

        return StartsReadingTarget(from, to) && !forceCutover && outboxDepth > 0 ? PhaseStepVerdict.OutboxNotEmpty : PhaseStepVerdict.Allowed;
    }

    /// <summary>True when consumers move between the source and the target epoch with this step.</summary>
    internal static bool ChangesReadEpoch(MigrationPhase from, MigrationPhase to) =>
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

/// <summary>What <see cref="PhaseTransitions.JudgeStep"/> decided about one phase step.</summary>
internal enum PhaseStepVerdict
{
    /// <summary>The step is allowed.</summary>
    Allowed,

    /// <summary>The step skips a phase.</summary>
    SkipsPhase,

    /// <summary>The step changes the read epoch and the cutover gate refuses it.</summary>
    GateRefuses,

    /// <summary>The step starts reading the target while the dual-write outbox holds records.</summary>
    OutboxNotEmpty,
}
